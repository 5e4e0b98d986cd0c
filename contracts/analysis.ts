import { z } from 'zod';
import { ProposedActionSchema } from './action';
import { SEVERITIES } from './severity';

export const TechniqueSchema = z.object({
  id: z.string().regex(/^T\d{4}(\.\d{3})?$/, 'MITRE technique id like T1059 or T1059.004'),
  name: z.string().max(200),
  tactic: z.string().max(100),
});
export type Technique = z.infer<typeof TechniqueSchema>;

export const AnalysisSchema = z.object({
  severity: z.enum(SEVERITIES),
  technique: TechniqueSchema.nullable(),
  /** 0..1; the review policy escalates below its threshold. */
  confidence: z.number().min(0).max(1),
  summary: z.string().min(1).max(4000),
  actions: z.array(ProposedActionSchema).max(16),
  /**
   * On an LLM analysis: what the rule analyser proposes for the same alert, the least response the
   * facts call for. Review adds what the model left out and escalates the shortfall (an LLM
   * analysis without it escalates). Absent on the rule analyser's own analyses: its steps are the floor.
   */
  floor: z.array(ProposedActionSchema).max(16).optional(),
  analyser: z.object({
    kind: z.enum(['deterministic', 'llm']),
    version: z.string(),
    note: z.string().optional(),
    /** The AgentPrompt version used (also on a deterministic fallback after the LLM failed). */
    promptVersion: z.string().optional(),
    model: z.string().optional(),
    /** True when the deterministic analyser stood in for an LLM that failed; `note` says why. */
    fallback: z.boolean().optional(),
  }),
});
export type Analysis = z.infer<typeof AnalysisSchema>;
