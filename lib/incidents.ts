import { AsyncLocalStorage } from 'node:async_hooks';
import { Client, WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import type { ConnectionLike } from '@temporalio/client';
import { TypedSearchAttributes } from '@temporalio/common';
import type { Anomaly, JoinedAlert } from '../contracts';
import { assetLabel, assetOf, ChainSummary, joinedAlertOf, SA, severityFromPriority, TASK_QUEUES, workloadKey, workloadOf } from '../contracts';
import { alertJoinedSignal, alertsQuery, INCIDENT_WORKFLOW_TYPE } from '../workflows/definitions';
import type { incidentWorkflow } from '../workflows/incident';
import { incidentIdFor } from './identity';

export interface StartResult {
  incidentId: string;
  started: boolean;
}

function startOptions(anomaly: Anomaly) {
  const asset = assetOf(anomaly.alert);
  const severity = severityFromPriority(anomaly.alert.priority);
  const workload = workloadKey(anomaly.workload ?? workloadOf(anomaly.alert));
  return {
    taskQueue: TASK_QUEUES.coordinator,
    workflowId: incidentIdFor(anomaly),
    // The UI's one-line summary and details, readable without opening payloads.
    staticSummary: `[${severity}] ${anomaly.alert.rule} on ${workload}`,
    staticDetails: [
      `**Falco rule:** ${anomaly.alert.rule} (${anomaly.alert.priority}, source ${anomaly.alert.source ?? 'syscall'})`,
      `**Workload:** ${workload} · **Asset:** ${assetLabel(asset)}${asset.node ? ` on node ${asset.node}` : ''}`,
      `**Anomaly score:** ${anomaly.score.toFixed(3)} · **trace_id:** ${anomaly.traceId}`,
      `**Output:** ${anomaly.alert.output.slice(0, 500)}`,
      ...(anomaly.followUpOf ? [`**Follow-up of:** ${anomaly.followUpOf} (closed before this alert arrived)`] : []),
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

/**
 * What happened to an anomaly: it opened an incident, joined a running one, opened or joined the
 * follow-up of its closed one (gate/follow-ups.ts), or found its incident closed with no follow-up
 * left to open.
 */
export const JOIN_OUTCOMES = ['started', 'joined', 'follow_up', 'joined_closed'] as const;
export type JoinOutcome = (typeof JOIN_OUTCOMES)[number];

export interface JoinResult {
  incidentId: string;
  outcome: JoinOutcome;
  /** For `follow_up`: the closed incident this one follows. */
  followUpOf?: string;
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
  const chains = chainsOf(client);
  const joined = joinedAlertOf(anomaly);
  const novel = chains.adds(anomaly.correlationKey, joined);
  const slot: { started?: boolean } = {};
  try {
    await startedFlag.run(slot, () =>
      observing(client).workflow.signalWithStart<typeof incidentWorkflow, [JoinedAlert]>(INCIDENT_WORKFLOW_TYPE, {
        ...options,
        args: [anomaly],
        signal: alertJoinedSignal,
        signalArgs: [novel ? { ...joined, anomaly } : joined],
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
      }),
    );
    chains.record(anomaly.correlationKey, joined);
    return { incidentId: options.workflowId, outcome: slot.started === true ? 'started' : 'joined' };
  } catch (err) {
    // REJECT_DUPLICATE on a closed incident: that correlation window was already handled.
    if (err instanceof WorkflowExecutionAlreadyStartedError) return { incidentId: options.workflowId, outcome: 'joined_closed' };
    throw err;
  }
}

/**
 * Whether a closed incident already holds an alert (by fingerprint): its `alerts` query, which a
 * coordinator answers by replaying the closed run's history. Only asked when an alert finds its
 * incident closed, to tell a redelivery from news (gate/follow-ups.ts).
 */
export async function incidentHolds(client: Client, incidentId: string, anomaly: Anomaly): Promise<boolean> {
  const held = await client.workflow.getHandle(incidentId).query(alertsQuery);
  return held.alertIds.includes(joinedAlertOf(anomaly).id);
}

/** Correlation windows whose chain this process remembers; the least recently used are forgotten. */
const MAX_CHAINS = 10_000;

/**
 * What each recent window has seen, per client (one per gate): a join carries the whole alert only
 * when it adds to its window. A forgotten or unseen window counts as new, so a gate that restarted
 * sends the whole alert once more rather than never.
 */
class RecentChains {
  private readonly chains = new Map<string, ChainSummary>();

  /** Whether the alert adds to its window (true for a window not seen, or forgotten). */
  adds(key: string, alert: JoinedAlert): boolean {
    return this.chains.get(key)?.adds(alert) ?? true;
  }

  /** Called once Temporal holds the alert, so a retried call still carries the whole alert. */
  record(key: string, alert: JoinedAlert): void {
    const chain = this.chains.get(key) ?? new ChainSummary();
    this.chains.delete(key);
    this.chains.set(key, chain);
    if (this.chains.size > MAX_CHAINS) this.chains.delete(this.chains.keys().next().value as string);
    chain.add(alert);
  }
}
const recentChains = new WeakMap<Client, RecentChains>();
function chainsOf(client: Client): RecentChains {
  let chains = recentChains.get(client);
  if (!chains) recentChains.set(client, (chains = new RecentChains()));
  return chains;
}

// The server answers signal-with-start with `started` (did this call create the run?), but the
// SDK's signalWithStart returns only a handle. A client over a connection whose workflowService
// records that flag into the caller's async context keeps "started vs joined" exact without
// re-implementing the request encoding.
// Checked against @temporalio/client 1.24, there is no supported way to get the flag: the
// client's signal-with-start handler drops it and returns the run id; a WorkflowClientInterceptor's
// `signalWithStart` sees only that run id (a joined run's id is as new to us as a started one's);
// calling `workflowService.signalWithStartWorkflowExecution` ourselves would mean rebuilding the
// request the SDK builds from internal helpers (payloads through the data converter's codec,
// search attributes, user metadata, client interceptors' headers, the ALREADY_EXISTS mapping);
// a gRPC interceptor would see only encoded bytes and belong to whoever makes the connection.
// Exposing it is temporalio/features#657 (open). Until then this Proxy.
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

/** gRPC status codes Temporal answers when the request itself is wrong: retrying the same one cannot succeed. */
const PERMANENT_GRPC_CODES: ReadonlyMap<number, string> = new Map([
  [3, 'INVALID_ARGUMENT'],
  [11, 'OUT_OF_RANGE'],
]);
/** Client-side errors that depend only on the anomaly (it cannot be encoded): the same on every retry. */
const PERMANENT_ERROR_NAMES = new Set(['PayloadConverterError', 'ValueError', 'TypeError', 'RangeError', 'DataCloneError']);

/**
 * Why an error from opening an incident can never succeed on retry (the request is refused for
 * what it is: a payload over the server's limit, an invalid id or attribute, an anomaly that
 * cannot be encoded), or null when it is worth retrying (Temporal unreachable, overloaded,
 * misconfigured: those must hold the batch and be fixed, never silently drop alerts).
 */
export function permanentTemporalError(err: unknown): string | null {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 8; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'number' && PERMANENT_GRPC_CODES.has(code)) return `${PERMANENT_GRPC_CODES.get(code)}: ${e.message}`;
    if (PERMANENT_ERROR_NAMES.has(e.name)) return `${e.name}: ${e.message}`;
  }
  return null;
}
