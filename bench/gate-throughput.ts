/**
 * Gate throughput on a real Kafka broker, side by side with a raw kafkajs consumer reading the
 * same topic (the baseline: fetch and decode only, nothing done with the messages).
 *
 * The gate runs its production path in this process: KafkaSource (consumer group, per-batch
 * commits) → Gate → scoring engine (parse, validate, features, score) with the anomalies handed
 * to a counting stub instead of Temporal, so the figure is the gate's own cost. The engine runs
 * on its worker thread (what the gate process does) and inline (to show what the thread buys).
 * Runs alternate (raw, thread, inline, raw, ...) with fresh consumer groups, so they share the
 * machine's load; the ratio per round is the figure to read.
 *
 *   npm run build && node dist/bench/gate-throughput.js [--events 100000] [--rounds 3] [--partitions 3]
 *   (KAFKA_BROKERS=host:port uses that cluster instead of starting scripts/kafka.sh)
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import type { ScoringEngine } from '../gate/engine/engine';
import { InlineEngine } from '../gate/engine/inline-engine';
import { ThreadEngine, threadEngineAvailable } from '../gate/engine/thread-engine';
import { Gate } from '../gate/gate';
import { KafkaSource } from '../gate/sources/kafka-source';
import { incidentIdFor } from '../lib/identity';
import { createLogger } from '../lib/logger';
import { createTopic, startKafka } from '../test/helpers/kafka-broker';
import { demoTraffic, trainDemoModel } from './lib/gate-traffic';
import { kafkajsRawRate } from './lib/kafka-raw';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1] ?? fallback) : fallback;
}

const log = createLogger('bench', 'silent');
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** The gate's rate over the same topic, from its first batch to its last commit. */
async function gateRate(brokers: string[], topic: string, total: number, engine: ScoringEngine): Promise<{ rate: number; anomalies: number }> {
  const groupId = `bench-gate-${randomUUID()}`;
  const source = new KafkaSource({ brokers, topic, deadLetterTopic: `${topic}.dlq`, groupId, clientId: 'bench-gate', transactionalId: groupId, fromBeginning: true, log });
  let t0 = 0n;
  let anomalies = 0;
  const gate = new Gate({
    source,
    engine: {
      kind: engine.kind,
      get model() {
        return engine.model;
      },
      process: (events) => {
        if (t0 === 0n) t0 = process.hrtime.bigint();
        return engine.process(events);
      },
      get replacements() {
        return engine.replacements;
      },
      healthy: () => engine.healthy(),
      busyForMs: () => engine.busyForMs(),
      loadModel: (p) => engine.loadModel(p),
      setSettings: (s) => engine.setSettings(s),
      close: () => engine.close(),
    },
    opener: {
      open: async (a) => {
        anomalies += 1;
        return { incidentId: incidentIdFor(a), outcome: 'started' };
      },
    },
    log,
  });
  const running = gate.run();
  while (gate.stats.consumed < total) await new Promise((r) => setTimeout(r, 5));
  const t1 = process.hrtime.bigint();
  await gate.stop();
  await running;
  return { rate: total / (Number(t1 - t0) / 1e9), anomalies };
}

async function main(): Promise<void> {
  const total = arg('events', 100_000);
  const rounds = arg('rounds', 3);
  const partitions = arg('partitions', 3);
  const work = mkdtempSync(join(tmpdir(), 'vigil-bench-gate-'));
  const broker = await startKafka();
  try {
    const brokers = broker.brokers;
    const topic = `bench.falco.${randomUUID().slice(0, 8)}`;
    await createTopic(brokers, topic, partitions);
    await createTopic(brokers, `${topic}.dlq`, 1);

    const lines = demoTraffic();
    const producer = new Kafka({ clientId: 'bench-producer', brokers, logLevel: logLevel.NOTHING }).producer();
    await producer.connect();
    let bytes = 0;
    for (let i = 0; i < total; i += 500) {
      const messages = Array.from({ length: Math.min(500, total - i) }, (_, j) => ({ value: lines.at(i + j) }));
      bytes += messages.reduce((n, m) => n + m.value.length, 0);
      await producer.send({ topic, acks: 1, messages });
    }
    await producer.disconnect();

    const { modelPath, settings } = trainDemoModel(work);
    const engineOptions = { modelPath, settings, maxEventBytes: 1 << 20, correlationWindowMs: 600_000 };

    console.log(`${total} events (${(bytes / total).toFixed(0)} B average) in ${partitions} partitions; Node ${process.version}, ${cpus().length} CPUs, load ${loadavg()[0]!.toFixed(1)}`);
    const rows: Array<{ raw: number; thread: number; inline: number; anomalies: number }> = [];
    for (let r = 0; r < rounds; r++) {
      const raw = await kafkajsRawRate(brokers, topic, total);
      const threaded = threadEngineAvailable() ? await ThreadEngine.start(engineOptions) : null;
      const thread = threaded ? await gateRate(brokers, topic, total, threaded) : { rate: NaN, anomalies: 0 };
      await threaded?.close();
      const inline = await gateRate(brokers, topic, total, new InlineEngine(engineOptions));
      rows.push({ raw, thread: thread.rate, inline: inline.rate, anomalies: inline.anomalies });
      console.log(
        `round ${r + 1}: raw ${raw.toFixed(0)}/s | gate (thread) ${thread.rate.toFixed(0)}/s = ${((100 * thread.rate) / raw).toFixed(0)}% | gate (inline) ${inline.rate.toFixed(0)}/s = ${((100 * inline.rate) / raw).toFixed(0)}% | anomalies ${inline.anomalies} (${((100 * inline.anomalies) / total).toFixed(2)}%)`,
      );
    }
    const ratio = (k: 'thread' | 'inline') => median(rows.map((x) => x[k] / x.raw));
    console.log(
      `median: raw ${median(rows.map((x) => x.raw)).toFixed(0)}/s, gate thread ${median(rows.map((x) => x.thread)).toFixed(0)}/s (${(100 * ratio('thread')).toFixed(0)}% of raw), gate inline ${median(rows.map((x) => x.inline)).toFixed(0)}/s (${(100 * ratio('inline')).toFixed(0)}% of raw); load ${loadavg()[0]!.toFixed(1)}`,
    );
  } finally {
    await broker.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
