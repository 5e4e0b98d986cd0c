import { AsyncLocalStorage } from 'node:async_hooks';
import { Client, WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import type { ConnectionLike } from '@temporalio/client';
import { TypedSearchAttributes } from '@temporalio/common';
import type { Anomaly, JoinedAlert } from '../contracts';
import { assetLabel, assetOf, joinedAlertOf, SA, severityFromPriority, TASK_QUEUES } from '../contracts';
import { alertJoinedSignal, INCIDENT_WORKFLOW_TYPE } from '../workflows/definitions';
import type { incidentWorkflow } from '../workflows/incident';
import { incidentIdFor } from './identity';

export interface StartResult {
  incidentId: string;
  started: boolean;
}

function startOptions(anomaly: Anomaly) {
  const asset = assetOf(anomaly.alert);
  const severity = severityFromPriority(anomaly.alert.priority);
  return {
    taskQueue: TASK_QUEUES.coordinator,
    workflowId: incidentIdFor(anomaly.correlationKey),
    // The UI's one-line summary and details, readable without opening payloads.
    staticSummary: `[${severity}] ${anomaly.alert.rule} on ${assetLabel(asset)}`,
    staticDetails: [
      `**Falco rule:** ${anomaly.alert.rule} (${anomaly.alert.priority}, source ${anomaly.alert.source ?? 'syscall'})`,
      `**Asset:** ${assetLabel(asset)}${asset.node ? ` on node ${asset.node}` : ''}`,
      `**Anomaly score:** ${anomaly.score.toFixed(3)} · **trace_id:** ${anomaly.traceId}`,
      `**Output:** ${anomaly.alert.output.slice(0, 500)}`,
    ].join('\n'),
    typedSearchAttributes: new TypedSearchAttributes([
      { key: SA.status, value: 'analysing' },
      { key: SA.severity, value: severity },
      { key: SA.asset, value: assetLabel(asset) },
      { key: SA.traceId, value: anomaly.traceId },
      { key: SA.anomalyScore, value: anomaly.score },
    ]),
  };
}

/**
 * Opens the incident for an anomaly unless its id was ever used: the id derives from the
 * correlation key, and REJECT_DUPLICATE keeps a redelivered alert from opening a second incident.
 */
export async function startIncident(client: Client, anomaly: Anomaly): Promise<StartResult> {
  const options = startOptions(anomaly);
  try {
    await client.workflow.start<typeof incidentWorkflow>(INCIDENT_WORKFLOW_TYPE, { ...options, args: [anomaly], workflowIdReusePolicy: 'REJECT_DUPLICATE' });
    return { incidentId: options.workflowId, started: true };
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) return { incidentId: options.workflowId, started: false };
    throw err;
  }
}

/** What happened to an anomaly: it opened an incident, joined a running one, or its incident was already closed. */
export const JOIN_OUTCOMES = ['started', 'joined', 'joined_closed'] as const;
export type JoinOutcome = (typeof JOIN_OUTCOMES)[number];

export interface JoinResult {
  incidentId: string;
  outcome: JoinOutcome;
}

/**
 * Opens the incident for an anomaly's correlation key, or joins the running one, in one call:
 * signal-with-start of `incidentWorkflow` with the `alertJoined` signal. The workflow id derives
 * from the key and REJECT_DUPLICATE refuses to reopen a closed one, so a redelivered alert can
 * never open a second incident; the workflow recognises the alert itself by fingerprint, so it
 * is never counted twice. Resolves only once Temporal has durably recorded the start or signal.
 */
export async function openOrJoinIncident(client: Client, anomaly: Anomaly): Promise<JoinResult> {
  const options = startOptions(anomaly);
  const slot: { started?: boolean } = {};
  try {
    await startedFlag.run(slot, () =>
      observing(client).workflow.signalWithStart<typeof incidentWorkflow, [JoinedAlert]>(INCIDENT_WORKFLOW_TYPE, {
        ...options,
        args: [anomaly],
        signal: alertJoinedSignal,
        signalArgs: [joinedAlertOf(anomaly)],
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
      }),
    );
    return { incidentId: options.workflowId, outcome: slot.started === true ? 'started' : 'joined' };
  } catch (err) {
    // REJECT_DUPLICATE on a closed incident: that correlation window was already handled.
    if (err instanceof WorkflowExecutionAlreadyStartedError) return { incidentId: options.workflowId, outcome: 'joined_closed' };
    throw err;
  }
}

// The server answers signal-with-start with `started` (did this call create the run?), but the
// SDK's signalWithStart returns only a handle. A client over a connection whose workflowService
// records that flag into the caller's async context keeps "started vs joined" exact without
// re-implementing the request encoding.
const startedFlag = new AsyncLocalStorage<{ started?: boolean }>();
const observingClients = new WeakMap<Client, Client>();

function observing(client: Client): Client {
  const known = observingClients.get(client);
  if (known) return known;
  const connection = client.connection;
  const service = connection.workflowService;
  const workflowService = new Proxy(service, {
    get(target, prop) {
      if (prop === 'signalWithStartWorkflowExecution') {
        return async (request: Parameters<typeof service.signalWithStartWorkflowExecution>[0]) => {
          const response = await target.signalWithStartWorkflowExecution(request);
          const slot = startedFlag.getStore();
          if (slot) slot.started = response.started === true;
          return response;
        };
      }
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
  const observed = new Proxy(connection, {
    get(target, prop) {
      if (prop === 'workflowService') return workflowService;
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  }) as ConnectionLike;
  const created = new Client({
    connection: observed,
    namespace: client.options.namespace,
    dataConverter: client.options.dataConverter,
    interceptors: client.options.interceptors,
    identity: client.options.identity,
  });
  observingClients.set(client, created);
  return created;
}
