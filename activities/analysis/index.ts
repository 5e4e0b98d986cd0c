import { z } from 'zod';
import type { Analysis, AgentMessage, Anomaly } from '../../contracts';
import { AGENTS, AnalysisSchema, AnomalySchema } from '../../contracts';
import type { AgentContext, AgentSkill } from '../../lib/agent-core';
import { defineSkill, runSkill } from '../../lib/agent-core';
import type { Logger } from '../../lib/logger';
import { count } from '../../lib/metrics';
import { analyseDeterministically } from './deterministic-analyser';
import { analysisMetrics } from './metrics';

/** `deterministic`: the rule analyser only, which the coordinator asks for when the full analysis failed. */
export const AnalyseInputSchema = z.object({ anomaly: AnomalySchema, deterministic: z.boolean().optional() });
export type AnalyseInput = z.infer<typeof AnalyseInputSchema>;

/** Anything that turns an anomaly into an analysis: the rule analyser, or the LLM with the rule analyser as its floor. */
export type Analyser = (anomaly: Anomaly, ctx: AgentContext) => Promise<Analysis>;

export const deterministicAnalyser: Analyser = async (anomaly) => analyseDeterministically(anomaly);

const SKILL = AGENTS.analysis.skills.analyse;

export function analysisSkill(analyser: Analyser): AgentSkill<AnalyseInput, Analysis> {
  return defineSkill('analysis', SKILL, {
    description: 'Threat analysis of a Falco anomaly: severity, MITRE technique, confidence, proposed actions (targeting only the alert\'s own pod).',
    input: AnalyseInputSchema,
    output: AnalysisSchema,
    handle: async ({ anomaly, deterministic }, ctx) => {
      if (!deterministic) return analyser(anomaly, ctx);
      const analysis = analyseDeterministically(anomaly);
      return { ...analysis, analyser: { ...analysis.analyser, fallback: true, note: 'the coordinator asked for the rule analyser: the full analysis failed' } };
    },
    observe: (_input, result, traceId) =>
      count(analysisMetrics.analyses(), { labels: { analyser: result.analyser.kind, fallback: String(result.analyser.fallback === true) }, traceId }),
  });
}

export interface AnalysisDeps {
  analyser?: Analyser;
  log: Logger;
}

export function createAnalysisActivities(deps: AnalysisDeps) {
  const skill = analysisSkill(deps.analyser ?? deterministicAnalyser);
  return {
    [SKILL.activity]: (message: AgentMessage<AnalyseInput>): Promise<AgentMessage<Analysis>> => runSkill(skill, message, deps.log),
  };
}
export type AnalysisActivities = ReturnType<typeof createAnalysisActivities>;
