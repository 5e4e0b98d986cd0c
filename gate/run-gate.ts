import { unwatchFile, watchFile } from 'node:fs';
import type { Registry } from 'prom-client';
import type { Client } from '@temporalio/client';
import { incidentHolds, openOrJoinIncident } from '../lib/incidents';
import { signingOpener } from '../lib/trust/anomaly-signature';
import { signerFromFile } from '../lib/trust/signing';
import type { Logger } from '../lib/logger';
import type { OpsServer } from '../lib/ops-server';
import { startOpsServer } from '../lib/ops-server';
import type { GateConfig } from './config';
import { kafkaSasl } from './config';
import { FALLBACK_THRESHOLD } from './core';
import type { CoreSettings } from './core';
import type { EngineOptions, ModelSummary, ScoringEngine } from './engine/engine';
import { InlineEngine } from './engine/inline-engine';
import { ThreadEngine, threadEngineAvailable } from './engine/thread-engine';
import type { GateStats, IncidentOpener } from './gate';
import { Gate } from './gate';
import { gateMetrics } from './metrics';
import type { GateSettings } from './policy-settings';
import { GateSettingsHolder } from './policy-settings';
import { FileSource } from './sources/file-source';
import { KafkaSource } from './sources/kafka-source';
import type { EventSource } from './sources/source';

export interface RunningGate {
  gate: Gate;
  engine: ScoringEngine;
  settings: GateSettings;
  opsPort: number | null;
  /** Resolves with the totals when the source ends (file) or after stop(); rejects if the gate fails. */
  done: Promise<GateStats>;
  /** Stops consuming, lets the batch in flight finish and commit, then releases everything. */
  stop(): Promise<GateStats>;
}

export interface RunGateDeps {
  log: Logger;
  /** Temporal client for signal-with-start; ignored when `opener` is given. */
  client?: Client;
  opener?: IncidentOpener;
  /** Serve /healthz, /readyz, /metrics (the gate process does; the demo's in-process gate does not). */
  ops?: boolean;
  registry?: Registry;
}

/** What the core needs of the policy's settings; the floor defaults to Critical. */
function coreSettings(s: GateSettings | undefined): CoreSettings {
  return {
    anomalyThreshold: s?.anomalyThreshold,
    priorityFloor: s?.priorityFloor ?? 'Critical',
    criticalNamespaces: s?.criticalNamespaces ?? [],
    suppressions: s?.suppressions ?? [],
  };
}

function createSource(config: GateConfig, log: Logger, onLag: (topic: string, partition: number, lag: number) => void): EventSource {
  if (config.source === 'file') {
    const deadLetterPath = config.deadLetterFile ?? (config.input === '-' ? 'vigil-gate.dlq.jsonl' : `${config.input}.dlq.jsonl`);
    return new FileSource({ path: config.input, deadLetterPath, batchSize: config.batchSize });
  }
  return new KafkaSource({
    brokers: config.brokers,
    topic: config.topic,
    deadLetterTopic: config.deadLetterTopic,
    groupId: config.groupId,
    clientId: config.clientId,
    transactionalId: config.transactionalId,
    fromBeginning: config.fromBeginning,
    ssl: config.kafkaSsl,
    sasl: kafkaSasl(config),
    maxBytesPerPartition: config.maxBytesPerPartition,
    sessionTimeoutMs: config.sessionTimeoutMs,
    log: log.child({ component: 'kafka' }),
    onLag,
    commitDelayMs: config.commitDelayMs,
  });
}

/**
 * Assembles and starts a gate from its configuration: policy settings (refuses to start without
 * a threshold), the model (refuses a missing or mismatched one), the engine, the source, the
 * ops port, and watchers that hot-reload the model file and the policy data.
 */
export async function runGate(config: GateConfig, deps: RunGateDeps): Promise<RunningGate> {
  const { log } = deps;
  const metrics = gateMetrics(deps.registry);
  const fault = config.faultInjection ? { kind: config.faultInjection.startsWith('stall:') ? ('stall' as const) : ('crash' as const), marker: config.faultInjection.replace(/^\w+:/, '') } : undefined;
  const engineOptions: EngineOptions = {
    modelPath: config.modelPath,
    maxEventBytes: config.maxEventBytes,
    correlationWindowMs: config.correlationWindowMs,
    correlationMaxMs: config.correlationMaxMs,
    incidentWatchMs: config.incidentWatchMs ?? config.correlationWindowMs,
    // Files are replays of what happened, so their alerts are old by nature; Kafka is live.
    timeBounds: { maxFutureMs: config.maxAlertFutureMs, maxAgeMs: config.maxAlertAgeMs ?? (config.source === 'file' ? 0 : 60 * 60_000) },
    extractor: { windows: { maxSubjects: config.maxSubjects }, maxRarityKeys: config.maxRarityKeys },
    settings: coreSettings(undefined),
    fault,
  };
  let engine: ScoringEngine | null = null;
  const describeThreshold = (s: GateSettings, model: ModelSummary) =>
    s.anomalyThreshold !== undefined
      ? { anomalyThreshold: s.anomalyThreshold, thresholdSource: 'policy', modelThreshold: model.threshold }
      : model.threshold !== null
        ? { anomalyThreshold: model.threshold, thresholdSource: 'model' }
        : { anomalyThreshold: FALLBACK_THRESHOLD, thresholdSource: 'default' };
  const showThreshold = (s: GateSettings, model: ModelSummary) => {
    const t = describeThreshold(s, model);
    metrics.threshold.reset();
    metrics.threshold.set({ source: t.thresholdSource }, t.anomalyThreshold);
    if (t.thresholdSource === 'policy') log.warn(t, "policy data overrides the model's calibrated threshold");
    if (t.thresholdSource === 'default') log.warn(t, 'neither the model nor the policy sets a threshold: using the built-in default (retrain with `vigil train`)');
  };
  const holder = GateSettingsHolder.load(config.policyDir, log, (s) => {
    if (engine) showThreshold(s, engine.model);
    void engine?.setSettings(coreSettings(s)).catch((err: unknown) => log.error({ err }, 'could not apply new gate settings'));
  });
  const settings = holder.current();
  engineOptions.settings = coreSettings(settings);
  engine = config.scoringThread && threadEngineAvailable() ? await ThreadEngine.start(engineOptions, config.stallMs) : new InlineEngine(engineOptions);
  const running = engine;
  showThreshold(settings, running.model);
  metrics.targetPassRate.set(running.model.targetPassRate ?? 0);
  metrics.modelInfo.set({ model: running.model.id, trainer: running.model.trainer }, 1);
  if (!running.model.hasBaseline) log.warn({ modelPath: config.modelPath }, 'model has no feature baseline (a bare forest file): rarity starts from nothing until traffic builds it');
  log.info(
    { model: running.model, engine: running.kind, ...describeThreshold(settings, running.model), priorityFloor: settings.priorityFloor, suppressions: settings.suppressions.length, policy: settings.source, source: config.source },
    'gate starting',
  );

  const opener: IncidentOpener =
    deps.opener ??
    (() => {
      const client = deps.client;
      if (!client) throw new Error('runGate needs a Temporal client or an opener');
      return { open: (a) => openOrJoinIncident(client, a), holds: (id, a) => incidentHolds(client, id, a) };
    })();
  const source = createSource(config, log, (topic, partition, lag) => metrics.lag.set({ topic, partition: String(partition) }, lag));
  const signer = config.signingKeyFile ? signerFromFile(config.signingKeyFile, 'gate signing key') : null;
  if (!signer) log.warn('VIGIL_GATE_SIGNING_KEY_FILE not set: anomalies go out unsigned, so every incident is untrusted and escalates');
  const gate = new Gate({ source, engine: running, opener: signingOpener(opener, signer), metrics, log, openConcurrency: config.openConcurrency });

  let live = true;
  // The watchdog: a scorer replaced or a batch scoring for longer than the bound says "not
  // ready" (no traffic) and "not live" (restart me), whatever the rest of the process believes.
  const scoring = () => running.healthy() && running.busyForMs() <= config.watchdogMs;
  let ops: OpsServer | null = null;
  if (deps.ops) {
    ops = await startOpsServer({
      port: config.opsPort,
      host: config.opsHost,
      ready: () => live && scoring(),
      live: scoring,
      info: () => ({ service: 'vigil-gate', model: running.model, source: source.name, ...describeThreshold(holder.current(), running.model), scorerReplacements: running.replacements }),
    });
  }

  // Poll the model file: a new model (vigil train, a ConfigMap swap) applies without a restart;
  // one that fails to load or does not match the extractor is refused and the current one kept.
  let previous = running.model.id;
  const onModelChange = () => {
    running.loadModel(config.modelPath).then(
      (m) => {
        if (m.id === previous) return;
        metrics.modelInfo.reset();
        metrics.modelInfo.set({ model: m.id, trainer: m.trainer }, 1);
        metrics.targetPassRate.set(m.targetPassRate ?? 0);
        showThreshold(holder.current(), m);
        log.info({ model: m, previous }, 'model reloaded');
        previous = m.id;
      },
      (err: unknown) => log.error({ err, modelPath: config.modelPath, keeping: previous }, 'new model refused; keeping the current one'),
    );
  };
  watchFile(config.modelPath, { interval: 1000 }, onModelChange).unref();
  holder.watch();

  let released = false;
  const release = async () => {
    if (released) return;
    released = true;
    live = false;
    unwatchFile(config.modelPath, onModelChange);
    holder.close();
    await running.close().catch(() => undefined);
    await ops?.close();
  };
  const done = gate.run().then(
    async () => {
      await release();
      log.info({ stats: gate.stats }, 'gate stopped');
      return gate.stats;
    },
    async (err: unknown) => {
      await release();
      throw err;
    },
  );
  return {
    gate,
    engine: running,
    settings,
    opsPort: ops?.port ?? null,
    done,
    async stop() {
      live = false;
      await gate.stop();
      return done;
    },
  };
}
