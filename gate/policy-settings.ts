import { readFileSync, unwatchFile, watchFile } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { Logger } from '../lib/logger';

/**
 * What the gate reads from the policy data (the same data.json the review agent evaluates), so
 * reviewers tune the gate without a deploy: the score threshold, and the namespaces the policy
 * always escalates (a feature: namespace_critical).
 */
export interface GateSettings {
  anomalyThreshold: number;
  criticalNamespaces: string[];
  /** Where they came from, for logs. */
  source: string;
}

const GateDataSchema = z.object({
  vigil: z.object({
    config: z.object({
      always_escalate_namespaces: z.array(z.string()).default([]),
      gate: z.object({ anomaly_threshold: z.number().min(0).max(1) }).loose(),
    }).loose(),
  }).loose(),
});

export function settingsFromData(data: unknown, source: string): GateSettings {
  const parsed = GateDataSchema.safeParse(data);
  if (!parsed.success) {
    throw new Error(`${source}: no usable vigil.config.gate.anomaly_threshold (${parsed.error.issues.map((i) => `${i.path.map(String).join('.')}: ${i.message}`).join('; ')})`);
  }
  const cfg = parsed.data.vigil.config;
  return { anomalyThreshold: cfg.gate.anomaly_threshold, criticalNamespaces: cfg.always_escalate_namespaces, source };
}

/** Reads `data.json` of a policy bundle directory (scripts/build-policy.sh output, or a mounted ConfigMap). */
export function readGateSettings(policyDir: string): GateSettings {
  const path = join(policyDir, 'data.json');
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new Error(`cannot read gate settings from ${path}: ${(err as Error).message} (run \`npm run policy:build\` or set VIGIL_POLICY_DIR)`);
  }
  return settingsFromData(data, path);
}

/**
 * Holds the current settings and re-reads them when the bundle changes. Polls (like the review
 * agent's PolicyHolder), which also sees ConfigMap symlink swaps; a bad file keeps the previous
 * settings in force and says why.
 */
export class GateSettingsHolder {
  private watched: string[] = [];

  constructor(
    private readonly policyDir: string,
    private settings: GateSettings,
    private readonly log: Logger,
    private readonly onChange: (s: GateSettings) => void,
  ) {}

  static load(policyDir: string, log: Logger, onChange: (s: GateSettings) => void): GateSettingsHolder {
    return new GateSettingsHolder(policyDir, readGateSettings(policyDir), log, onChange);
  }

  current(): GateSettings {
    return this.settings;
  }

  reload(): boolean {
    try {
      const next = readGateSettings(this.policyDir);
      const changed = next.anomalyThreshold !== this.settings.anomalyThreshold || next.criticalNamespaces.join('\n') !== this.settings.criticalNamespaces.join('\n');
      this.settings = next;
      if (changed) {
        this.log.info({ anomalyThreshold: next.anomalyThreshold, criticalNamespaces: next.criticalNamespaces }, 'gate settings reloaded from policy data');
        this.onChange(next);
      }
      return true;
    } catch (err) {
      this.log.error({ err, keeping: this.settings.anomalyThreshold }, 'gate settings failed to reload; keeping the previous ones');
      return false;
    }
  }

  watch(intervalMs = 1000): void {
    if (this.watched.length) return;
    this.watched = [join(this.policyDir, 'manifest.json'), join(this.policyDir, 'data.json')];
    // unref: a draining gate must not be kept alive by a poll.
    for (const file of this.watched) watchFile(file, { interval: intervalMs }, () => void this.reload()).unref();
  }

  close(): void {
    for (const file of this.watched) unwatchFile(file);
    this.watched = [];
  }
}
