import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { LlmSettings } from './llm-analyser';
import { formatIssues } from '../../contracts';

const SettingsSchema = z.object({
  baseUrl: z.url({ message: 'VIGIL_LLM_BASE_URL must be an http(s) URL such as https://api.example.com/v1' }),
  model: z.string().min(1, 'VIGIL_LLM_MODEL is required with VIGIL_LLM_BASE_URL'),
  apiKey: z.string().min(1).optional(),
  timeoutMs: z.coerce.number().int().positive().default(20_000),
  maxAttempts: z.coerce.number().int().min(1).max(10).default(3),
  budgetMs: z.coerce.number().int().positive().default(60_000),
});

/**
 * The LLM endpoint from the environment, or null when none is configured (the deterministic
 * analyser then does all analysis). The key comes from a file (a mounted Secret) or, failing
 * that, from VIGIL_LLM_API_KEY; it is never logged.
 */
export function llmSettingsFromEnv(env: NodeJS.ProcessEnv): LlmSettings | null {
  if (!env.VIGIL_LLM_BASE_URL) return null;
  let apiKey = env.VIGIL_LLM_API_KEY || undefined;
  if (env.VIGIL_LLM_API_KEY_FILE) {
    try {
      apiKey = readFileSync(env.VIGIL_LLM_API_KEY_FILE, 'utf8').trim() || undefined;
    } catch (err) {
      throw new Error(`cannot read VIGIL_LLM_API_KEY_FILE ${env.VIGIL_LLM_API_KEY_FILE}: ${(err as Error).message}`);
    }
  }
  const parsed = SettingsSchema.safeParse({
    baseUrl: env.VIGIL_LLM_BASE_URL,
    model: env.VIGIL_LLM_MODEL ?? '',
    apiKey,
    timeoutMs: env.VIGIL_LLM_TIMEOUT_MS || undefined,
    maxAttempts: env.VIGIL_LLM_MAX_ATTEMPTS || undefined,
    budgetMs: env.VIGIL_LLM_BUDGET_MS || undefined,
  });
  if (!parsed.success) throw new Error(`invalid LLM configuration: ${formatIssues(parsed.error)}`);
  return parsed.data;
}
