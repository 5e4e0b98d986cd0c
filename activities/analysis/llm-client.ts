import type { ChatMessage } from './prompt';

/** Why a chat-completion call produced no usable text; each maps to a metric outcome. */
export type LlmFailureKind = 'timeout' | 'http_error' | 'network_error' | 'refusal' | 'invalid_reply';

export class LlmCallError extends Error {
  constructor(
    readonly kind: LlmFailureKind,
    message: string,
    /** False when retrying cannot help (bad key, unknown model, request rejected). */
    readonly retryable: boolean = true,
  ) {
    super(message);
    this.name = 'LlmCallError';
  }
}

export interface ChatRequest {
  baseUrl: string;
  model: string;
  apiKey?: string;
  messages: ChatMessage[];
  /** JSON Schema the reply must follow (OpenAI-compatible `response_format: json_schema`). */
  schema: Record<string, unknown>;
  timeoutMs: number;
}

export interface ChatReply {
  content: string;
  usage: { promptTokens: number; completionTokens: number };
}

interface CompletionBody {
  choices?: Array<{ message?: { content?: string | null; refusal?: string | null }; finish_reason?: string }>;
  usage?: { prompt_tokens?: number; completion_tokens?: number };
}

/** One call to an OpenAI-compatible `/chat/completions` endpoint with structured output; no retries here. */
export async function chatCompletion(req: ChatRequest): Promise<ChatReply> {
  const url = `${req.baseUrl.replace(/\/$/, '')}/chat/completions`;
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(req.apiKey ? { authorization: `Bearer ${req.apiKey}` } : {}) },
      body: JSON.stringify({
        model: req.model,
        messages: req.messages,
        temperature: 0,
        response_format: { type: 'json_schema', json_schema: { name: 'vigil_analysis', schema: req.schema, strict: false } },
      }),
      signal: AbortSignal.timeout(req.timeoutMs),
    });
  } catch (err) {
    const name = (err as Error).name;
    if (name === 'TimeoutError' || name === 'AbortError') throw new LlmCallError('timeout', `no answer within ${req.timeoutMs} ms`);
    throw new LlmCallError('network_error', `cannot reach ${url}: ${(err as Error).message}`);
  }
  let text: string;
  try {
    text = await res.text();
  } catch (err) {
    const name = (err as Error).name;
    throw new LlmCallError(name === 'TimeoutError' || name === 'AbortError' ? 'timeout' : 'network_error', `reply body: ${(err as Error).message}`);
  }
  if (!res.ok) {
    // 408/429/5xx may pass on a retry; other 4xx (bad key, unknown model) will not.
    const retryable = res.status === 408 || res.status === 429 || res.status >= 500;
    throw new LlmCallError('http_error', `HTTP ${res.status}: ${text.slice(0, 200)}`, retryable);
  }
  let body: CompletionBody;
  try {
    body = JSON.parse(text) as CompletionBody;
  } catch {
    throw new LlmCallError('invalid_reply', `endpoint answered non-JSON: ${text.slice(0, 120)}`);
  }
  const choice = body.choices?.[0];
  const usage = { promptTokens: body.usage?.prompt_tokens ?? 0, completionTokens: body.usage?.completion_tokens ?? 0 };
  if (choice?.message?.refusal) throw Object.assign(new LlmCallError('refusal', `model refused: ${choice.message.refusal.slice(0, 200)}`), { usage });
  if (choice?.finish_reason === 'content_filter') throw Object.assign(new LlmCallError('refusal', 'reply withheld by content filter'), { usage });
  const content = choice?.message?.content;
  if (typeof content !== 'string' || content.length === 0) throw Object.assign(new LlmCallError('invalid_reply', 'reply has no message content'), { usage });
  return { content, usage };
}
