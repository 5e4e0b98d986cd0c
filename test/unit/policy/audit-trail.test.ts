import { defaultPayloadConverter } from '@temporalio/common';
import { msNumberToTs } from '@temporalio/common/lib/time';
import { temporal } from '@temporalio/proto';
import { auditFromHistory, formatAudit } from '../../../cli/audit';
import { DECISION_MEMO_KEY } from '../../../contracts/decision';
import { anomalyOf, byRule, exampleAlert } from '../../helpers/fixtures';

/** The audit reader on hand-built histories: the paths a live test cannot reach quickly (expiry, unreadable payloads, failures). */
const E = temporal.api.enums.v1.EventType;
const payloads = (v: unknown) => ({ payloads: [defaultPayloadConverter.toPayload(v)] });
const reply = (data: unknown) => ({ parts: [{ data, mediaType: 'application/json' }] });
type EventId = NonNullable<temporal.api.history.v1.IHistoryEvent['eventId']>;
let id = 0;
const event = (eventType: temporal.api.enums.v1.EventType, at: number, attrs: temporal.api.history.v1.IHistoryEvent): temporal.api.history.v1.IHistoryEvent => ({
  // Temporal sends Longs; the reader only stringifies ids, so a number stands in.
  eventId: ++id as unknown as EventId,
  eventType,
  eventTime: msNumberToTs(at),
  ...attrs,
});

const verdict = {
  outcome: 'escalate',
  reasons: [{ code: 'low_confidence', message: 'confidence 0.40 is below 0.60' }],
  allowedActions: [],
  rejectedActions: [],
  mutations: [],
  flagged: [],
  escalation: { timeoutSeconds: 86400, onTimeout: 'auto_reject', requiredRole: 'analyst', repage: false },
  policyVersion: 'abc123',
  inputDigest: 'sha256:00',
};

describe('audit trail from history', () => {
  const anomaly = anomalyOf(exampleAlert(byRule('Terminal shell in container', (a) => a.priority === 'Notice')));
  const t0 = Date.parse('2026-01-01T00:00:00Z');

  it('records the expiry as a decision with the policy reason, and the expired resolution', () => {
    const scheduled = event(E.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED, t0 + 1, { activityTaskScheduledEventAttributes: { activityType: { name: 'review' } } });
    const events = [
      event(E.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED, t0, { workflowExecutionStartedEventAttributes: { input: payloads(anomaly) } }),
      scheduled,
      event(E.EVENT_TYPE_ACTIVITY_TASK_COMPLETED, t0 + 2, { activityTaskCompletedEventAttributes: { scheduledEventId: scheduled.eventId, result: payloads(reply(verdict)) } }),
    ];
    const timeout = {
      accepted: true,
      decision: null,
      refusal: null,
      via: 'timeout',
      at: '2026-01-02T00:00:00.000Z',
      policyVersion: 'abc123',
      reasons: [{ code: 'escalation_timeout', message: 'no decision within 86400 s' }],
      requiredRoles: ['analyst'],
    };
    events.push(
      event(E.EVENT_TYPE_WORKFLOW_PROPERTIES_MODIFIED, t0 + 86_400_000, { workflowPropertiesModifiedEventAttributes: { upsertedMemo: { fields: { [DECISION_MEMO_KEY]: defaultPayloadConverter.toPayload(timeout) } } } }),
      event(E.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED, t0 + 86_400_100, {
        workflowExecutionCompletedEventAttributes: { result: payloads({ incidentId: 'i', traceId: anomaly.traceId, resolution: 'expired_rejected', verdict: 'escalate', decidedBy: null, actionResults: [] }) },
      }),
    );
    const trail = auditFromHistory('i', events, defaultPayloadConverter);
    expect(trail).toMatchObject({ status: 'completed', rule: 'Terminal shell in container', traceId: anomaly.traceId });
    expect(trail.entries.map((e) => e.kind)).toEqual(['verdict', 'decision', 'resolution']);
    expect(trail.entries[1]).toMatchObject({ via: 'timeout', analyst: null, reasons: [{ code: 'escalation_timeout' }] });
    const text = formatAudit(trail);
    expect(text).toContain('2026-01-01T00:00:00.002Z  verdict    escalate under policy abc123');
    expect(text).toContain('an analyst decision within 86400 s, else auto_reject\n');
    expect(text).toContain('accepted no analyst via timeout under policy abc123');
    expect(text).toContain('resolution expired_rejected');
  });

  it('keeps going past a payload it cannot read, and shows how the run ended', () => {
    const scheduled = event(E.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED, t0, { activityTaskScheduledEventAttributes: { activityType: { name: 'review' } } });
    const events = [
      scheduled,
      event(E.EVENT_TYPE_ACTIVITY_TASK_COMPLETED, t0 + 1, { activityTaskCompletedEventAttributes: { scheduledEventId: scheduled.eventId, result: payloads(reply({ outcome: 'maybe' })) } }),
      event(E.EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED, t0 + 2, {}),
    ];
    const trail = auditFromHistory('i', events, defaultPayloadConverter);
    expect(trail.status).toBe('terminated');
    expect(trail.entries).toEqual([expect.objectContaining({ kind: 'unreadable', what: 'verdict', error: expect.stringContaining('outcome') })]);
    expect(formatAudit(trail)).toContain('unreadable verdict: outcome');
  });
});
