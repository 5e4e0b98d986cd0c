import { ApplicationFailure, setHandler } from '@temporalio/workflow';
import { FAILURE_TYPES } from '../../contracts';
import type { DecideResult } from '../definitions';
import { alertJoinedSignal, alertsQuery, analystDecisionSignal, confirmContainmentUpdate, decideUpdate, revertContainmentUpdate, stateQuery } from '../definitions';
import type { ContainmentDesk } from './containment';
import type { DecisionDesk } from './decisions';
import type { Incident } from './incident';

/** The incident's public surface: queries, joined alerts, and analyst decisions by signal or by update. */
export function installHandlers(incident: Incident, desk: DecisionDesk, containment: ContainmentDesk): void {
  setHandler(stateQuery, () => incident.state);
  setHandler(alertsQuery, () => incident.alerts());
  setHandler(alertJoinedSignal, (raw: unknown) => incident.join(raw));
  setHandler(analystDecisionSignal, async (raw: unknown) => {
    await desk.decide(raw, 'signal');
  });
  setHandler(
    decideUpdate,
    async (raw: unknown): Promise<DecideResult> => {
      const result = await desk.decide(raw, 'update');
      if (!result.ok) throw ApplicationFailure.create({ type: FAILURE_TYPES.policyDenied, message: result.reason, nonRetryable: true });
      return { accepted: true, decision: result.decision.decision, analyst: result.decision.analyst, progress: result.progress, settled: result.settled };
    },
    {
      validator: (raw: unknown) => {
        const pre = desk.precheck(raw);
        if (!pre.ok) throw new Error(pre.reason);
      },
    },
  );
  for (const [update, kind] of [
    [revertContainmentUpdate, 'revert'],
    [confirmContainmentUpdate, 'confirm'],
  ] as const) {
    setHandler(
      update,
      async (raw: unknown) => {
        const result = await containment.request(kind, raw);
        if (!result.ok) throw ApplicationFailure.create({ type: FAILURE_TYPES.policyDenied, message: result.reason, nonRetryable: true });
        return containment.settled();
      },
      {
        validator: (raw: unknown) => {
          const pre = containment.precheck(kind, raw);
          if (!pre.ok) throw new Error(pre.reason);
        },
      },
    );
  }
}
