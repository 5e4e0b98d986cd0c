import { markUsed } from './metrics-compliance';
import { count, metrics } from './metrics';

/**
 * Business metrics read off an agent's reply, so every face of an agent (Temporal activity or A2A)
 * counts the same way and no agent module has to remember to. Keyed by agent and skill; a reply
 * that does not have the expected shape is simply not counted (the skill's own schema already
 * validated what matters).
 */
type Observer = (result: unknown, input: unknown, traceId: string) => void;

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown, fallback = 'unknown') => (typeof v === 'string' && v.length > 0 ? v : fallback);

const OBSERVERS: Record<string, Observer> = {
  'analysis/analyse': (result, _input, traceId) => {
    if (!isRecord(result) || !isRecord(result.analyser)) return;
    const kind = str(result.analyser.kind);
    const fallback = result.analyser.fallback === true;
    count(metrics.analyses(), { labels: { analyser: kind, fallback: String(fallback) }, traceId });
  },
  'review/review': (result, _input, traceId) => {
    if (!isRecord(result)) return;
    count(metrics.verdicts(), { labels: { outcome: str(result.outcome) }, traceId });
  },
  'review/authorize-decision': (result, _input, traceId) => {
    if (isRecord(result) && result.allowed === false) count(metrics.decisions(), { labels: { outcome: 'refused' }, traceId });
  },
  'remediation/remediate': (result, _input, traceId) => {
    if (!Array.isArray(result)) return;
    for (const r of result) {
      if (!isRecord(r)) continue;
      count(metrics.actions(), { labels: { actionner: str(r.actionner), status: str(r.status) }, traceId });
      if (r.status === 'executed' || r.status === 'dry_run') markUsed('remediation', `actionner:${str(r.actionner)}`);
    }
  },
  'remediation/revert': (result, input, traceId) => {
    if (!Array.isArray(result)) return;
    const trigger = isRecord(input) ? str(input.trigger) : 'unknown';
    for (const r of result) {
      if (isRecord(r)) count(metrics.actionReverts(), { labels: { actionner: str(r.actionner), trigger, outcome: str(r.outcome) }, traceId });
    }
  },
  'notification/notify': (result, input, traceId) => {
    if (!isRecord(result)) return;
    const kind = isRecord(input) ? str(input.kind) : 'unknown';
    count(metrics.notifications(), { labels: { kind, channel: str(result.channel), delivered: String(result.delivered === true) }, traceId });
    if (result.delivered === true) markUsed('notification', `notifier:${str(result.channel)}`);
  },
};

export function observeSkillResult(agent: string, skill: string, input: unknown, result: unknown, traceId: string): void {
  OBSERVERS[`${agent}/${skill}`]?.(result, input, traceId);
}
