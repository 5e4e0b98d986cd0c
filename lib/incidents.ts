import type { Client } from '@temporalio/client';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { TypedSearchAttributes } from '@temporalio/common';
import type { Anomaly } from '../contracts';
import { assetLabel, assetOf, SA, severityFromPriority, TASK_QUEUES } from '../contracts';
import { incidentWorkflow } from '../workflows/incident';
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
    await client.workflow.start(incidentWorkflow, { ...options, args: [anomaly], workflowIdReusePolicy: 'REJECT_DUPLICATE' });
    return { incidentId: options.workflowId, started: true };
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) return { incidentId: options.workflowId, started: false };
    throw err;
  }
}
