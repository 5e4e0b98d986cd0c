/**
 * The LLM's cost model: how many analysis calls, and how many prompt tokens, 1,000 alerts of the
 * evaluation stream cost. The gate runs its real core (the demo's model, the policy's threshold)
 * over examples/gate-replay.jsonl in stream order; every anomaly either opens an incident (one
 * analysis call) or joins the open one for its correlation key. Prompt tokens are the rendered
 * prompt (prompts/analysis.yaml with the quoted alert) at ~4 characters per token, the usual
 * figure for English and JSON with GPT-style tokenisers; the reply is bounded by the analysis
 * schema (a few hundred tokens).
 *
 *   npm run build && node dist/bench/llm-cost.js
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadPrompt, renderPrompt } from '../activities/analysis/prompt';
import { GateCore, packEvents } from '../gate/core';
import { loadGateModel } from '../gate/model/gate-model';
import { DEFAULT_CORRELATION_WINDOW_MS } from '../lib/identity';
import { fromRoot } from '../lib/paths';
import { trainDemoModel } from './lib/gate-traffic';
import { mean, percentile } from './lib/stats';

const CHARS_PER_TOKEN = 4;

async function main(): Promise<void> {
  const { modelPath, settings } = trainDemoModel(mkdtempSync(join(tmpdir(), 'vigil-bench-llm-')));
  const core = new GateCore({ model: loadGateModel(modelPath), settings, maxEventBytes: 1 << 20, correlationWindowMs: DEFAULT_CORRELATION_WINDOW_MS });
  const lines = readFileSync(fromRoot('examples', 'gate-replay.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.trim());
  const scored = core.process(packEvents(lines.map((l) => Buffer.from(l))));
  const prompt = await loadPrompt(fromRoot('prompts', 'analysis.yaml'));
  const incidents = new Map<string, number>();
  const tokens: number[] = [];
  for (const { anomaly } of scored.anomalies) {
    if (!incidents.has(anomaly.correlationKey)) tokens.push(renderPrompt(prompt, anomaly).reduce((n, m) => n + m.content.length, 0) / CHARS_PER_TOKEN);
    incidents.set(anomaly.correlationKey, (incidents.get(anomaly.correlationKey) ?? 0) + 1);
  }
  const per1000 = (x: number) => (1000 * x) / lines.length;
  console.log(`evaluation stream: ${lines.length} alerts (${scored.deadLetters.length} dead letters), threshold ${settings.anomalyThreshold} (${settings.source})`);
  console.log(`anomalies ${scored.anomalies.length} (${((100 * scored.anomalies.length) / lines.length).toFixed(1)}% pass), incidents ${incidents.size} (the rest join an open one)`);
  console.log(`LLM analysis calls per 1,000 alerts: ${per1000(incidents.size).toFixed(1)} (one per incident; ${per1000(scored.anomalies.length).toFixed(1)} if every joined alert were re-analysed)`);
  console.log(`prompt tokens per call: mean ${mean(tokens).toFixed(0)}, p99 ${percentile(tokens, 99).toFixed(0)} (system prompt ${(prompt.spec.system.length / CHARS_PER_TOKEN).toFixed(0)})`);
  console.log(`prompt tokens per 1,000 alerts: ${per1000(tokens.reduce((a, b) => a + b, 0)).toFixed(0)}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
