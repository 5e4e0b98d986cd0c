/** The bare baseline of bench/incident-throughput.ts: queues, messages, activities. No Vigil code. */
export const BASELINE_WORKFLOW_TYPE = 'baselineWorkflow';

export const BASELINE_QUEUES = {
  coordinator: 'bench-coordinator',
  analysis: 'bench-analysis',
  review: 'bench-review',
  remediation: 'bench-remediation',
  notification: 'bench-notification',
} as const;
export type BaselineRole = keyof typeof BASELINE_QUEUES;
export const BASELINE_ROLES = Object.keys(BASELINE_QUEUES) as BaselineRole[];

/** About what an agent message weighs (an anomaly with its alert is ~2 KB of JSON). */
export const BASELINE_PAYLOAD_BYTES = 2048;

export interface BaselineMessage {
  body: string;
}

export interface BaselineInput extends BaselineMessage {
  /** When the starter took the event: the baseline's "gate receive time". */
  receivedAt: string;
}

export interface BaselineActivities {
  analyse(m: BaselineMessage): Promise<BaselineMessage>;
  review(m: BaselineMessage): Promise<BaselineMessage>;
  remediate(m: BaselineMessage): Promise<BaselineMessage>;
  notify(m: BaselineMessage): Promise<BaselineMessage>;
}
