import type { Command } from 'commander';
import { Option } from 'commander';
import type { GateConfig } from '../gate/config';
import { DEFAULT_DLQ_TOPIC, DEFAULT_TOPIC, gateConfigFromEnv } from '../gate/config';
import type { GateStats } from '../gate/gate';
import { runGate } from '../gate/run-gate';
import { createLogger } from '../lib/logger';
import { connectClient } from '../lib/temporal-client';
import type { TemporalConfig } from '../lib/temporal-config';

interface GateCliOptions {
  input?: string;
  kafka?: boolean;
  brokers?: string;
  topic?: string;
  dlqTopic?: string;
  dlqFile?: string;
  model?: string;
  policyDir?: string;
  opsPort?: string;
}

/** One line a person reads at the end of a replay. */
export function describeStats(s: GateStats): string {
  const incidents = `${s.started} incident(s) opened, ${s.joined} alert(s) joined an open one${s.followedUp ? `, ${s.followedUp} for closed incidents (handed to their follow-ups)` : ''}${s.joinedClosed ? `, ${s.joinedClosed} for closed incidents past the follow-up bound` : ''}`;
  return `${s.consumed} event(s): ${s.deadLettered} dead-lettered, ${s.scored} scored, ${s.anomalies} anomalous (${incidents}); ${s.filtered} benign alert(s) filtered out, never reaching an agent`;
}

export function registerGate(program: Command, temporal: () => TemporalConfig): void {
  program
    .command('gate')
    .description('run the gate in the foreground: score Falco alerts from Kafka or a JSONL file, open incidents for anomalies')
    .option('--input <file>', "JSONL of Falco alerts ('-' for stdin); ends when the file does")
    .option('--kafka', 'consume the Kafka topic (KAFKA_BROKERS) until Ctrl-C')
    .addOption(new Option('--brokers <list>', 'Kafka brokers, host:port,...').env('KAFKA_BROKERS'))
    .addOption(new Option('--topic <name>', `Kafka topic (default ${DEFAULT_TOPIC})`).env('VIGIL_KAFKA_TOPIC'))
    .addOption(new Option('--dlq-topic <name>', `dead-letter topic (default ${DEFAULT_DLQ_TOPIC})`).env('VIGIL_KAFKA_DLQ_TOPIC'))
    .addOption(new Option('--dlq-file <file>', 'dead-letter JSONL for --input (default <input>.dlq.jsonl)').env('VIGIL_GATE_DLQ_FILE'))
    .addOption(new Option('--model <file>', 'model file from `vigil train`').env('VIGIL_MODEL_PATH'))
    .addOption(new Option('--policy-dir <dir>', 'policy bundle dir (threshold, namespaces)').env('VIGIL_POLICY_DIR'))
    .addOption(new Option('--ops-port <port>', '/healthz, /readyz, /metrics port (0: any free port)').env('VIGIL_OPS_PORT'))
    .action(async (opts: GateCliOptions) => {
      if (!opts.input === !opts.kafka) throw new Error('give exactly one of --input <file> or --kafka');
      const config: GateConfig = gateConfigFromEnv(process.env, {
        source: opts.kafka ? 'kafka' : 'file',
        input: opts.input,
        brokers: opts.brokers?.split(',').map((b) => b.trim()).filter(Boolean),
        topic: opts.topic,
        deadLetterTopic: opts.dlqTopic,
        deadLetterFile: opts.dlqFile,
        modelPath: opts.model,
        policyDir: opts.policyDir,
        opsPort: opts.opsPort,
        opsHost: process.env.VIGIL_OPS_HOST ?? '127.0.0.1',
      });
      const log = createLogger('vigil-gate');
      const client = await connectClient(temporal());
      try {
        const gate = await runGate(config, { log, client, ops: true });
        process.once('SIGINT', () => void gate.stop());
        process.once('SIGTERM', () => void gate.stop());
        const stats = await gate.done;
        process.stdout.write(`${describeStats(stats)}\n`);
      } finally {
        await client.connection.close().catch(() => undefined);
      }
    });
}
