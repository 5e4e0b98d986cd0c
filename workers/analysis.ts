import { analysisSkill, createAnalysisActivities, deterministicAnalyser } from '../activities/analysis';
import type { Analyser } from '../activities/analysis';
import { createLlmAnalyser } from '../activities/analysis/llm-analyser';
import { llmSettingsFromEnv } from '../activities/analysis/llm-config';
import { loadPrompt } from '../activities/analysis/prompt';
import { BUILTIN_ACTIONNERS } from '../activities/remediation/registry';
import { TASK_QUEUES } from '../contracts';
import { fromRoot } from '../lib/paths';
import { main } from './run-worker';

main({
  name: 'analysis',
  taskQueue: TASK_QUEUES.analysis,
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
      agent: {
        name: 'analysis',
        description: 'Vigil threat-analysis agent: turns a Falco anomaly into a typed analysis with proposed, policy-reviewed actions.',
        skills: [analysisSkill(analyser)],
        tools: llm ? ['tool:llm'] : [],
      },
    };
  },
});
