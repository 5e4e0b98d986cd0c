import { ApplicationFailure, setHandler } from '@temporalio/workflow';
import { FAILURE_TYPES } from '../../contracts';
import type { DecideResult } from '../definitions';
import { alertJoinedSignal, alertsQuery, analystDecisionSignal, decideUpdate, stateQuery } from '../definitions';
import type { DecisionDesk } from './decisions';
import type { Incident } from './incident';

/** The incident's public surface: queries, joined alerts, and analyst decisions by signal or by update. */
export function installHandlers(incident: Incident, desk: DecisionDesk): void {
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
}
