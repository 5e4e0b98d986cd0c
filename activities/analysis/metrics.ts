import { DURATION_BUCKETS, incidentCounter, incidentHistogram } from '../../lib/metrics';

/**
 * The analysis agent's metrics, each obtained where it is first moved (the skill's `observe` hook
 * in `index.ts`, the LLM analyser), so only the analysis process exports them.
 */
export const analysisMetrics = {
  analyses: incidentCounter('vigil_analyses_total', 'Analyses by analyser (llm, deterministic) and whether the deterministic one stood in for a failed LLM.', ['analyser', 'fallback']),
  llmRequests: incidentCounter('vigil_llm_requests_total', 'Chat-completion calls by model and outcome (ok, invalid_reply, refusal, timeout, http_error, network_error).', ['model', 'outcome']),
  llmDuration: incidentHistogram('vigil_llm_request_duration_seconds', 'Chat-completion call latency by model.', ['model'], DURATION_BUCKETS),
  llmTokens: incidentCounter('vigil_llm_tokens_total', 'Tokens the LLM endpoint reported, by model and kind (prompt, completion).', ['model', 'kind']),
  llmFallbacks: incidentCounter('vigil_llm_fallbacks_total', 'Analyses where the deterministic analyser stood in for the LLM, by the last failure reason.', ['reason']),
  llmDroppedProposals: incidentCounter(
    'vigil_llm_dropped_proposals_total',
    "LLM-proposed actions removed before review, by reason (e.g. target_not_alert_asset: aimed at anything but the alert's own pod).",
    ['reason'],
  ),
};
