import { AGENTS } from '../../contracts';
import { fromRoot } from '../../lib/paths';
import type { WorkerProcess } from '../../lib/worker-process';
import { agentFace } from '../../lib/worker-process';
import { BUILTIN_ACTIONNERS } from '../remediation/registry';
import type { Analyser } from '.';
import { analysisSkill, createAnalysisActivities, deterministicAnalyser } from '.';
import { createLlmAnalyser } from './llm-analyser';
import { llmSettingsFromEnv } from './llm-config';
import { loadPrompt } from './prompt';

export const analysisWorker: WorkerProcess = {
  name: 'analysis',
  taskQueue: AGENTS.analysis.taskQueue,
  setup: async (log, env) => {
    const llm = llmSettingsFromEnv(env);
    let analyser: Analyser = deterministicAnalyser;
    if (llm) {
      // Loaded and validated at start: a broken prompt file stops the worker with the reason, not every analysis.
      const prompt = await loadPrompt(env.VIGIL_PROMPT_FILE || fromRoot('prompts', 'analysis.yaml'));
      analyser = createLlmAnalyser({ settings: llm, prompt, knownActionners: new Set(BUILTIN_ACTIONNERS.map((a) => a.name)) });
      log.info({ llm: { baseUrl: llm.baseUrl, model: llm.model, promptVersion: prompt.spec.version, maxAttempts: llm.maxAttempts, budgetMs: llm.budgetMs } }, 'LLM analysis enabled');
    } else {
      log.info('no VIGIL_LLM_BASE_URL: deterministic analysis only');
    }
    return {
      worker: { activities: createAnalysisActivities({ log, analyser }) },
      agent: agentFace('analysis', [analysisSkill(analyser)], llm ? ['tool:llm'] : []),
    };
  },
};
