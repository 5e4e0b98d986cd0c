import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Command } from 'commander';
import { Option } from 'commander';
import pino from 'pino';
import { DEFAULT_TOPIC } from '../gate/config';
import { Trainer } from '../gate/iforest';
import { saveGateModel } from '../gate/model/gate-model';
import { trainGateModel } from '../gate/model/train';
import type { TrainingInput } from '../gate/model/training-input';
import { readTrainingFile, readTrainingWindow } from '../gate/model/training-input';
import { readGateSettings } from '../gate/policy-settings';
import { fromRoot } from '../lib/paths';

export interface TrainOptions {
  input?: string;
  kafka?: boolean;
  brokers?: string;
  topic: string;
  window: string;
  out: string;
  trainer: string;
  seed: string;
  trees: string;
  sampleSize: string;
  policyDir: string;
  targetPassRate: string;
  holdOut: string;
}

const say = (s: string) => process.stdout.write(`${s}\n`);

function fraction(name: string, raw: string, min: number): number {
  const pct = raw.trim().endsWith('%');
  const n = Number(pct ? raw.trim().slice(0, -1) : raw) / (pct ? 100 : 1);
  if (!Number.isFinite(n) || n < min || n >= 1) throw new Error(`--${name} must be a fraction in [${min}, 1) (e.g. 0.002 or 0.2%), got "${raw}"`);
  return n;
}

const pct = (x: number) => `${(100 * x).toFixed(2)} %`;

function positive(name: string, raw: string): number {
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer, got "${raw}"`);
  return n;
}

/** `vigil train`: benign alerts (a JSONL file or a window of the Kafka topic) → a gate model file. */
export async function train(opts: TrainOptions): Promise<void> {
  if (!opts.input === !opts.kafka) throw new Error('give exactly one of --input <alerts.jsonl> or --kafka');
  const trainer = Object.values(Trainer).find((t) => t === opts.trainer);
  if (!trainer) throw new Error(`--trainer must be one of ${Object.values(Trainer).join(', ')}, got "${opts.trainer}"`);
  const seed = Number(opts.seed);
  if (!Number.isSafeInteger(seed)) throw new Error(`--seed must be an integer, got "${opts.seed}"`);
  const settings = readGateSettings(opts.policyDir);

  let input: TrainingInput;
  let source: string;
  if (opts.input) {
    input = await readTrainingFile(opts.input);
    source = opts.input;
  } else {
    const brokers = (opts.brokers ?? '').split(',').map((b) => b.trim()).filter(Boolean);
    if (brokers.length === 0) throw new Error('--kafka needs --brokers or KAFKA_BROKERS');
    const maxEvents = positive('window', opts.window);
    // Kafka's own warnings go to stderr as JSON lines; stdout stays the summary.
    const log = pino({ name: 'vigil-train', level: 'warn' }, pino.destination(2));
    input = await readTrainingWindow({ brokers, topic: opts.topic, maxEvents, log });
    source = `kafka:${opts.topic} (last ${maxEvents})`;
  }
  for (const r of input.rejections) say(`  skipped ${r}`);
  if (input.rejected > input.rejections.length) say(`  ... and ${input.rejected - input.rejections.length} more invalid`);
  if (input.alerts.length < 2) throw new Error(`${source}: ${input.alerts.length} valid alert(s); need at least 2 to train`);

  const model = trainGateModel(input.alerts, {
    trainer,
    seed,
    nTrees: positive('trees', opts.trees),
    sampleSize: positive('sample-size', opts.sampleSize),
    criticalNamespaces: settings.criticalNamespaces,
    input: source,
    targetPassRate: fraction('target-pass-rate', opts.targetPassRate, Number.MIN_VALUE),
    holdOut: fraction('hold-out', opts.holdOut, 0),
    priorityFloor: settings.priorityFloor,
  });
  mkdirSync(dirname(opts.out), { recursive: true });
  saveGateModel(model, opts.out);
  const q = model.training?.scoreQuantiles;
  const c = model.calibration!;
  say(`trained ${trainer} forest (${model.forest.info.nTrees} trees, ψ=${model.forest.info.sampleSize}, seed ${seed}) on ${input.alerts.length} alerts from ${source}`);
  if (q) say(`  training scores p50 ${q.p50.toFixed(3)}, p99 ${q.p99.toFixed(3)}, max ${q.max.toFixed(3)}`);
  say(`  threshold ${c.threshold.toFixed(4)} for a target benign pass rate of ${pct(c.targetPassRate)}: ${pct(c.trainingPassRate)} of the training window passes`);
  if (c.heldOut) {
    say(`  held out the latest ${c.heldOut.rows} alerts: a forest fitted on the rest passes ${pct(c.heldOut.passRate)} of them at its own calibrated threshold`);
  } else say('  too few alerts to hold some out; the threshold is calibrated in-sample only');
  say(`  ${pct(c.priorityFloorRate)} of the window is at or above the priority floor (${settings.priorityFloor}) and passes whatever the score`);
  if (settings.anomalyThreshold !== undefined) say(`  note: the policy data overrides the threshold with ${settings.anomalyThreshold} (${settings.source})`);
  say(`  wrote ${opts.out}`);
}

export function registerTrain(program: Command): void {
  program
    .command('train')
    .description("train the gate's Isolation Forest on benign alerts and write its model file")
    .option('--input <file>', "JSONL of Falco alerts ('-' for stdin)")
    .option('--kafka', 'train on the latest events of the Kafka topic instead')
    .addOption(new Option('--brokers <list>', 'Kafka brokers, host:port,...').env('KAFKA_BROKERS'))
    .addOption(new Option('--topic <name>', 'Kafka topic').env('VIGIL_KAFKA_TOPIC').default(DEFAULT_TOPIC))
    .option('--window <n>', 'with --kafka: how many of the latest events to read', '10000')
    .addOption(new Option('--out <file>', 'model file to write').env('VIGIL_MODEL_PATH').default(fromRoot('.data', 'gate', 'model.json')))
    .option('--trainer <name>', `${Object.values(Trainer).join(' | ')}`, Trainer.Vigil)
    .option('--seed <n>', 'training seed (same seed and input, same model)', '1')
    .option('--trees <n>', 'number of trees', '100')
    .option('--sample-size <n>', 'subsample size ψ per tree', '256')
    .option('--target-pass-rate <rate>', 'share of these (benign) alerts the threshold lets through, e.g. 0.002 or 0.2%', '0.002')
    .option('--hold-out <share>', 'latest share of the window held out to measure the threshold on unseen alerts', '0.2')
    .addOption(new Option('--policy-dir <dir>', 'policy bundle dir (always-escalate namespaces, priority floor)').env('VIGIL_POLICY_DIR').default(fromRoot('policies', 'build')))
    .action(async (opts: TrainOptions) => {
      await train(opts);
    });
}
