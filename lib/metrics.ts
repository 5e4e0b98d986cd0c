import { Counter, Gauge, Histogram, register } from 'prom-client';
import type { Metric } from 'prom-client';

/**
 * Vigil's operational metrics, on prom-client's global registry (what every process's /metrics
 * serves). Created on first use so a process only exports the families it can move, and
 * get-or-create so two imports of this module never register a name twice.
 *
 * Counters and histograms that follow one incident carry a `trace_id` exemplar. prom-client only
 * prints exemplars in OpenMetrics, and refuses exemplar metrics on a Prometheus-format registry at
 * construction; they are therefore built detached and registered afterwards: the Prometheus text
 * omits the exemplars, and lib/metrics-openmetrics.ts prints them when a scraper asks for OpenMetrics.
 */
function metric<M extends Metric>(name: string, make: () => M): M {
  const existing = register.getSingleMetric(name);
  if (existing) return existing as M;
  const m = make();
  register.registerMetric(m);
  return m;
}

const DETACHED = { registers: [] };
const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];
const WAIT_BUCKETS = [1, 5, 15, 60, 300, 900, 1800, 3600, 14_400, 43_200, 86_400];

export type Transport = 'temporal' | 'a2a';
export type ActivityOutcome = 'ok' | 'invalid_input' | 'error';

const exemplar = (traceId: string | undefined) => (traceId ? { trace_id: traceId } : {});

export const metrics = {
  activities: () =>
    metric(
      'vigil_agent_activities_total',
      () =>
        new Counter({
          ...DETACHED,
          name: 'vigil_agent_activities_total',
          help: 'Agent skill runs, by agent, skill, transport (temporal activity or A2A) and outcome (ok, invalid_input, error).',
          labelNames: ['agent', 'skill', 'transport', 'outcome'] as const,
          enableExemplars: true,
        }),
    ),
  activityDuration: () =>
    metric(
      'vigil_agent_activity_duration_seconds',
      () =>
        new Histogram({
          ...DETACHED,
          name: 'vigil_agent_activity_duration_seconds',
          help: 'Time an agent skill took, by agent, skill and transport.',
          labelNames: ['agent', 'skill', 'transport'] as const,
          buckets: DURATION_BUCKETS,
          enableExemplars: true,
        }),
    ),
  verdicts: () =>
    metric(
      'vigil_verdicts_total',
      () =>
        new Counter({
          ...DETACHED,
          name: 'vigil_verdicts_total',
          help: 'Review verdicts by outcome (auto_execute, auto_reject, escalate).',
          labelNames: ['outcome'] as const,
          enableExemplars: true,
        }),
    ),
  decisions: () =>
    metric(
      'vigil_analyst_decisions_total',
      () =>
        new Counter({
          ...DETACHED,
          name: 'vigil_analyst_decisions_total',
          help: 'Escalations settled, by outcome: approve or reject by an analyst, timeout (policy outcome applied), refused (an attempt policy did not authorize).',
          labelNames: ['outcome'] as const,
          enableExemplars: true,
        }),
    ),
  escalationWait: () =>
    metric(
      'vigil_escalation_wait_seconds',
      () =>
        new Histogram({
          ...DETACHED,
          name: 'vigil_escalation_wait_seconds',
          help: 'Time from escalation to its settlement (analyst decision or deadline), by outcome.',
          labelNames: ['outcome'] as const,
          buckets: WAIT_BUCKETS,
          enableExemplars: true,
        }),
    ),
  actions: () =>
    metric(
      'vigil_actions_total',
      () =>
        new Counter({
          ...DETACHED,
          name: 'vigil_actions_total',
          help: 'Remediation actions by actionner and status (executed = applied, dry_run, refused = by pre-flight or a guard, failed, skipped).',
          labelNames: ['actionner', 'status'] as const,
          enableExemplars: true,
        }),
    ),
  actionReverts: () =>
    metric(
      'vigil_action_reverts_total',
      () =>
        new Counter({
          ...DETACHED,
          name: 'vigil_action_reverts_total',
          help: 'Writes undone by revert, by actionner, trigger (analyst = vigil revert, ttl = containment expired) and outcome (reverted, already_reverted, changed_since, irreversible, failed).',
          labelNames: ['actionner', 'trigger', 'outcome'] as const,
          enableExemplars: true,
        }),
    ),
  notifications: () =>
    metric(
      'vigil_notifications_total',
      () =>
        new Counter({
          ...DETACHED,
          name: 'vigil_notifications_total',
          help: 'Notifications by kind, channel and whether they were delivered.',
          labelNames: ['kind', 'channel', 'delivered'] as const,
          enableExemplars: true,
        }),
    ),
  notificationsUndelivered: () =>
    metric(
      'vigil_notifications_undelivered_total',
      () =>
        new Counter({
          ...DETACHED,
          name: 'vigil_notifications_undelivered_total',
          help: 'Notices still undelivered when their retry budget ran out (recorded in the incident outcome; the incident closes anyway), by kind.',
          labelNames: ['kind'] as const,
          enableExemplars: true,
        }),
    ),
  analyses: () =>
    metric(
      'vigil_analyses_total',
      () =>
        new Counter({
          ...DETACHED,
          name: 'vigil_analyses_total',
          help: 'Analyses by analyser (llm, deterministic) and whether the deterministic one stood in for a failed LLM.',
          labelNames: ['analyser', 'fallback'] as const,
          enableExemplars: true,
        }),
    ),
  reanalyses: () =>
    metric(
      'vigil_incident_reanalyses_total',
      () =>
        new Counter({
          ...DETACHED,
          name: 'vigil_incident_reanalyses_total',
          help: 'Incidents analysed and reviewed again because a joined alert escalated the chain (a new rule, technique or higher priority).',
          labelNames: [] as const,
          enableExemplars: true,
        }),
    ),
  llmRequests: () =>
    metric(
      'vigil_llm_requests_total',
      () =>
        new Counter({
          ...DETACHED,
          name: 'vigil_llm_requests_total',
          help: 'Chat-completion calls by model and outcome (ok, invalid_reply, refusal, timeout, http_error, network_error).',
          labelNames: ['model', 'outcome'] as const,
          enableExemplars: true,
        }),
    ),
  llmDuration: () =>
    metric(
      'vigil_llm_request_duration_seconds',
      () =>
        new Histogram({
          ...DETACHED,
          name: 'vigil_llm_request_duration_seconds',
          help: 'Chat-completion call latency by model.',
          labelNames: ['model'] as const,
          buckets: DURATION_BUCKETS,
          enableExemplars: true,
        }),
    ),
  llmTokens: () =>
    metric(
      'vigil_llm_tokens_total',
      () =>
        new Counter({
          ...DETACHED,
          name: 'vigil_llm_tokens_total',
          help: 'Tokens the LLM endpoint reported, by model and kind (prompt, completion).',
          labelNames: ['model', 'kind'] as const,
          enableExemplars: true,
        }),
    ),
  llmFallbacks: () =>
    metric(
      'vigil_llm_fallbacks_total',
      () =>
        new Counter({
          ...DETACHED,
          name: 'vigil_llm_fallbacks_total',
          help: 'Analyses where the deterministic analyser stood in for the LLM, by the last failure reason.',
          labelNames: ['reason'] as const,
          enableExemplars: true,
        }),
    ),
  llmDroppedProposals: () =>
    metric(
      'vigil_llm_dropped_proposals_total',
      () =>
        new Counter({
          ...DETACHED,
          name: 'vigil_llm_dropped_proposals_total',
          help: "LLM-proposed actions removed before review, by reason (e.g. target_not_alert_asset: aimed at anything but the alert's own pod).",
          labelNames: ['reason'] as const,
          enableExemplars: true,
        }),
    ),
};

export interface LabelledInc {
  labels: Record<string, string>;
  traceId?: string;
  value?: number;
}

/** Increments an exemplar counter, attaching the trace id when there is one. */
export function count(counter: Counter<string>, { labels, traceId, value = 1 }: LabelledInc): void {
  counter.inc({ labels, value, exemplarLabels: exemplar(traceId) });
}

/** Observes an exemplar histogram, attaching the trace id when there is one. */
export function observe(histogram: Histogram<string>, { labels, traceId, value }: LabelledInc & { value: number }): void {
  histogram.observe({ labels, value, exemplarLabels: exemplar(traceId) });
}

/** A plain gauge (no exemplars: a gauge is a state, not an event of one incident). */
export function gauge(name: string, help: string, labelNames: readonly string[], collect?: (this: Gauge<string>) => void | Promise<void>): Gauge<string> {
  return metric(name, () => new Gauge({ ...DETACHED, name, help, labelNames: [...labelNames], ...(collect ? { collect } : {}) }));
}
