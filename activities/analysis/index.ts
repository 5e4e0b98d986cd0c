import { z } from 'zod';
import type { Analysis, AgentMessage, Anomaly } from '../../contracts';
import { AnomalySchema } from '../../contracts';
import type { AgentSkill } from '../../lib/agent-core';
import { runSkill } from '../../lib/agent-core';
import type { Logger } from '../../lib/logger';
import { analyseDeterministically } from './deterministic-analyser';

export const AnalyseInputSchema = z.object({ anomaly: AnomalySchema });
export type AnalyseInput = z.infer<typeof AnalyseInputSchema>;

/** Anything that turns an anomaly into an analysis: the rule analyser now, an LLM later. */
export type Analyser = (anomaly: Anomaly) => Promise<Analysis>;

export function analysisSkill(analyser: Analyser): AgentSkill<AnalyseInput, Analysis> {
  return {
    agent: 'analysis',
    skill: 'analyse',
    description: 'Threat analysis of a Falco anomaly: severity, MITRE technique, confidence, proposed actions.',
    input: AnalyseInputSchema,
    handle: ({ anomaly }) => analyser(anomaly),
  };
}

export interface AnalysisDeps {
  analyser?: Analyser;
  log: Logger;
}

export function createAnalysisActivities(deps: AnalysisDeps) {
  const skill = analysisSkill(deps.analyser ?? (async (a) => analyseDeterministically(a)));
  return {
    async analyse(message: AgentMessage<AnalyseInput>): Promise<AgentMessage<Analysis>> {
      return runSkill(skill, message, deps.log);
    },
  };
}
export type AnalysisActivities = ReturnType<typeof createAnalysisActivities>;
