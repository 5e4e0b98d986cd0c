import { formatIssues } from '../contracts/issues';
import { readFileSync, unwatchFile, watchFile } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { FalcoPriority } from '../contracts';
import { FALCO_PRIORITIES } from '../contracts';
import type { Logger } from '../lib/logger';
import type { Suppression } from './suppressions';

/**
 * What the gate reads from the policy data (the same data.json the review agent evaluates), so
 * reviewers tune the gate without a deploy: an optional override of the model's calibrated
 * threshold, the priority floor (alerts at or above it always pass), the analysts' suppressions,
 * and the namespaces the policy always escalates (a feature: namespace_critical).
 */
export interface GateSettings {
  /** Set only when the policy overrides the threshold `vigil train` calibrated into the model. */
  anomalyThreshold: number | undefined;
  priorityFloor: FalcoPriority;
  criticalNamespaces: string[];
  suppressions: Suppression[];
  /** Suppression entries that did not parse, with why: ignored (so their alerts pass), and said so. */
  refusedSuppressions: string[];
  /** Where they came from, for logs. */
  source: string;
}

export const DEFAULT_PRIORITY_FLOOR: FalcoPriority = 'Critical';

const priority = z.string().transform((raw, ctx) => {
  const p = FALCO_PRIORITIES.find((x) => x.toLowerCase() === raw.trim().toLowerCase());
  if (!p) {
    ctx.addIssue({ code: 'custom', message: `unknown Falco priority "${raw.slice(0, 40)}"` });
    return z.NEVER;
  }
  return p;
});

const GateDataSchema = z.object({
  vigil: z
    .object({
      config: z
        .object({
          always_escalate_namespaces: z.array(z.string()).default([]),
          gate: z
            .object({ anomaly_threshold: z.number().min(0).max(1).optional(), priority_floor: priority.default(DEFAULT_PRIORITY_FLOOR) })
            .loose()
            .default({ priority_floor: DEFAULT_PRIORITY_FLOOR }),
        })
        .loose(),
      suppressions: z.array(z.unknown()).max(10_000).default([]),
    })
    .loose(),
});

const SuppressionSchema = z.object({
  id: z.string().min(1).max(128),
  workload: z.object({ namespace: z.string().min(1).max(253), kind: z.string().min(1).max(253).optional(), name: z.string().min(1).max(253) }),
  rule: z.string().min(1).max(512),
  process: z.string().min(1).max(256).optional(),
  author: z.string().min(1).max(256),
  reason: z.string().min(1).max(2_000),
  expires: z.string().refine((t) => /^\d{4}-\d\d-\d\dT/.test(t) && !Number.isNaN(Date.parse(t)), { message: 'expires is not an RFC 3339 timestamp' }),
});

const issues = (e: z.ZodError) => formatIssues(e);

export function settingsFromData(data: unknown, source: string): GateSettings {
  const parsed = GateDataSchema.safeParse(data);
  if (!parsed.success) throw new Error(`${source}: unusable gate settings in vigil.config.gate (${issues(parsed.error)})`);
  const { config, suppressions: raw } = parsed.data.vigil;
  const suppressions: Suppression[] = [];
  const refused: string[] = [];
  raw.forEach((entry, i) => {
    const s = SuppressionSchema.safeParse(entry);
    if (s.success) suppressions.push({ ...s.data, expiresAtMs: Date.parse(s.data.expires) });
    else refused.push(`vigil.suppressions[${i}]: ${issues(s.error)}`);
  });
  return {
    anomalyThreshold: config.gate.anomaly_threshold,
    priorityFloor: config.gate.priority_floor,
    criticalNamespaces: config.always_escalate_namespaces,
    suppressions,
    refusedSuppressions: refused,
    source,
  };
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

function sameSettings(a: GateSettings, b: GateSettings): boolean {
  const { source: _a, ...x } = a;
  const { source: _b, ...y } = b;
  return JSON.stringify(x) === JSON.stringify(y);
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
  ) {
    this.warnRefused(settings);
  }

  static load(policyDir: string, log: Logger, onChange: (s: GateSettings) => void): GateSettingsHolder {
    return new GateSettingsHolder(policyDir, readGateSettings(policyDir), log, onChange);
  }

  current(): GateSettings {
    return this.settings;
  }

  reload(): boolean {
    try {
      const next = readGateSettings(this.policyDir);
      const changed = !sameSettings(next, this.settings);
      this.settings = next;
      if (changed) {
        this.log.info(
          { anomalyThresholdOverride: next.anomalyThreshold ?? null, priorityFloor: next.priorityFloor, criticalNamespaces: next.criticalNamespaces, suppressions: next.suppressions.length },
          'gate settings reloaded from policy data',
        );
        this.warnRefused(next);
        this.onChange(next);
      }
      return true;
    } catch (err) {
      this.log.error({ err, keeping: { anomalyThresholdOverride: this.settings.anomalyThreshold ?? null } }, 'gate settings failed to reload; keeping the previous ones');
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

  private warnRefused(s: GateSettings): void {
    if (s.refusedSuppressions.length > 0) this.log.warn({ refused: s.refusedSuppressions.slice(0, 20), count: s.refusedSuppressions.length }, 'suppressions ignored (malformed): their alerts are scored as usual');
  }
}
