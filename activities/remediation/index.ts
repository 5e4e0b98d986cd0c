import { z } from 'zod';
import type { ActionResult, AgentMessage } from '../../contracts';
import { AGENTS, ProposedActionSchema } from '../../contracts';
import type { AgentSkill } from '../../lib/agent-core';
import { defineSkill, runSkill } from '../../lib/agent-core';
import type { Logger } from '../../lib/logger';
import { count, metrics } from '../../lib/metrics';
import { markUsed } from '../../lib/metrics-compliance';
import type { ActionnerRegistry, KubeApplier } from './registry';

export const RemediateInputSchema = z.object({ actions: z.array(ProposedActionSchema).max(32) });
export type RemediateInput = z.infer<typeof RemediateInputSchema>;

export interface RemediationDeps {
  registry: ActionnerRegistry;
  dryRun: boolean;
  apply?: KubeApplier;
  log: Logger;
}

const SKILL = AGENTS.remediation.skills.remediate;

export function remediationSkill(deps: RemediationDeps): AgentSkill<RemediateInput, ActionResult[]> {
  return defineSkill('remediation', SKILL, {
    description: 'Runs the allowed response actions through registered actionners (idempotent per incident, dry-run aware).',
    input: RemediateInputSchema,
    handle: async ({ actions }, ctx) => {
      const results: ActionResult[] = [];
      for (const action of actions) {
        const result = await deps.registry.execute(action, { incidentId: ctx.incidentId, dryRun: deps.dryRun, apply: deps.apply });
        ctx.log.info({ action: { id: result.actionId, actionner: result.actionner, status: result.status, key: result.idempotencyKey } }, result.message);
        results.push(result);
      }
      return results;
    },
    observe: (_input, results, traceId) => {
      for (const r of results) {
        count(metrics.actions(), { labels: { actionner: r.actionner, status: r.status }, traceId });
        if (r.status === 'executed' || r.status === 'dry_run') markUsed('remediation', `actionner:${r.actionner}`);
      }
    },
  });
}

export function createRemediationActivities(deps: RemediationDeps) {
  const skill = remediationSkill(deps);
  return {
    [SKILL.activity]: (message: AgentMessage<RemediateInput>): Promise<AgentMessage<ActionResult[]>> => runSkill(skill, message, deps.log),
  };
}
export type RemediationActivities = ReturnType<typeof createRemediationActivities>;
