import type { Analysis, Anomaly } from '../../contracts';
import type { AgentContext } from '../../lib/agent-core';
import { count, observe } from '../../lib/metrics';
import { markUsed } from '../../lib/metrics-compliance';
import { analyseDeterministically } from './deterministic-analyser';
import type { LlmFailureKind } from './llm-client';
import { chatCompletion, LlmCallError } from './llm-client';
import { admitReply, LLM_REPLY_JSON_SCHEMA, LlmReplySchema } from './llm-reply';
import { analysisMetrics } from './metrics';
import type { AgentPrompt } from './prompt';
import { renderPrompt } from './prompt';
import { formatIssues } from '../../contracts';
import type { IssueList } from '../../contracts';

export const LLM_ANALYSER_VERSION = 'llm-1';

export interface LlmSettings {
  baseUrl: string;
  model: string;
  apiKey?: string;
  /** One call's limit. */
  timeoutMs: number;
  /** Tries before falling back (a malformed or refused reply, a timeout, a 5xx each use one). */
  maxAttempts: number;
  /** Everything the LLM may take for one analysis, retries and backoff included; inside the activity's own timeout. */
  budgetMs: number;
}

export interface LlmAnalyserDeps {
  settings: LlmSettings;
  prompt: AgentPrompt;
  knownActionners: ReadonlySet<string>;
  /** Waits between attempts; injectable so unit tests do not sleep. */
  sleep?: (ms: number) => Promise<void>;
}

const describeIssues = (err: IssueList): string => formatIssues(err, { limit: 5 });

/** Parses and validates the model's text; a failure is an `invalid_reply` like any other, so it is retried. */
function parseReply(content: string) {
  let json: unknown;
  try {
    json = JSON.parse(content);
  } catch {
    throw new LlmCallError('invalid_reply', `reply is not JSON: ${content.slice(0, 80)}`);
  }
  const parsed = LlmReplySchema.safeParse(json);
  if (!parsed.success) throw new LlmCallError('invalid_reply', `reply does not match the analysis schema: ${describeIssues(parsed.error)}`);
  return parsed.data;
}

/**
 * LLM analysis with the deterministic analyser as the floor: the reply is schema-validated and
 * admitted against the alert's facts; a reply that is malformed, violates the schema, refuses,
 * times out or errors is retried while the budget lasts, then the rule analyser answers and the
 * analysis says why (`analyser.fallback`, `analyser.note`). Either way the prompt version is recorded.
 */
export function createLlmAnalyser(deps: LlmAnalyserDeps) {
  const { settings, prompt } = deps;
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const model = settings.model;
  const meta = { model, promptVersion: prompt.spec.version, version: LLM_ANALYSER_VERSION };

  return async (anomaly: Anomaly, ctx: Pick<AgentContext, 'log' | 'traceId'>): Promise<Analysis> => {
    const deadline = Date.now() + settings.budgetMs;
    const messages = renderPrompt(prompt, anomaly);
    const failures: string[] = [];
    let last: LlmFailureKind = 'timeout';
    for (let attempt = 1; attempt <= settings.maxAttempts; attempt += 1) {
      const left = deadline - Date.now();
      if (left <= 0) break;
      const started = process.hrtime.bigint();
      markUsed('analysis', 'tool:llm');
      try {
        const reply = await chatCompletion({ ...settings, messages, schema: LLM_REPLY_JSON_SCHEMA, timeoutMs: Math.min(settings.timeoutMs, left) });
        count(analysisMetrics.llmTokens(), { labels: { model, kind: 'prompt' }, value: reply.usage.promptTokens, traceId: ctx.traceId });
        count(analysisMetrics.llmTokens(), { labels: { model, kind: 'completion' }, value: reply.usage.completionTokens, traceId: ctx.traceId });
        const admitted = admitReply(parseReply(reply.content), anomaly, deps.knownActionners, meta);
        count(analysisMetrics.llmRequests(), { labels: { model, outcome: 'ok' }, traceId: ctx.traceId });
        observe(analysisMetrics.llmDuration(), { labels: { model }, value: Number(process.hrtime.bigint() - started) / 1e9, traceId: ctx.traceId });
        for (const d of admitted.dropped) count(analysisMetrics.llmDroppedProposals(), { labels: { reason: d.reason }, traceId: ctx.traceId });
        if (admitted.dropped.length) ctx.log.warn({ llm: { dropped: admitted.dropped.map((d) => ({ actionner: d.action.actionner, reason: d.reason })) } }, 'LLM proposals dropped');
        ctx.log.info({ llm: { model, attempt, promptVersion: prompt.spec.version, actions: admitted.analysis.actions.length } }, 'LLM analysis accepted');
        return admitted.analysis;
      } catch (err) {
        if (!(err instanceof LlmCallError)) throw err;
        last = err.kind;
        failures.push(`attempt ${attempt}: ${err.kind}: ${err.message}`);
        count(analysisMetrics.llmRequests(), { labels: { model, outcome: err.kind }, traceId: ctx.traceId });
        observe(analysisMetrics.llmDuration(), { labels: { model }, value: Number(process.hrtime.bigint() - started) / 1e9, traceId: ctx.traceId });
        ctx.log.warn({ llm: { model, attempt, failure: err.kind, reason: err.message.slice(0, 300) } }, 'LLM attempt failed');
        if (!err.retryable) break;
        const backoff = Math.min(250 * 2 ** (attempt - 1), 4000);
        if (attempt < settings.maxAttempts && deadline - Date.now() > backoff) await sleep(backoff);
      }
    }
    count(analysisMetrics.llmFallbacks(), { labels: { reason: last }, traceId: ctx.traceId });
    const fallback = analyseDeterministically(anomaly);
    const note = `LLM ${model} gave no usable analysis (${failures.length} attempt(s) within ${settings.budgetMs} ms; ${failures.join(' | ').slice(0, 1500)}); deterministic analyser used instead`;
    ctx.log.warn({ llm: { model, attempts: failures.length, last } }, 'falling back to the deterministic analyser');
    return { ...fallback, analyser: { ...fallback.analyser, fallback: true, promptVersion: prompt.spec.version, model, note } };
  };
}
