import type { FalcoAlert, FalcoFieldValue, FalcoPriority, Workload } from '../../contracts';
import { workloadKey, workloadOf } from '../../contracts';
import type { RaritySnapshot } from './rarity';
import { MAX_RARITY_BITS, RarityTable } from './rarity';
import { connectionClass, pathSensitivity, shannonEntropy } from './signals';
import type { WindowOptions } from './subject-windows';
import { DEFAULT_WINDOW_OPTIONS, SubjectWindows } from './subject-windows';

/**
 * The feature vector, in model order. A model stores these names and the gate refuses a model
 * whose names differ, so renaming, adding or reordering a feature means retraining.
 *
 * | feature | value | why it earns its place |
 * |---|---|---|
 * | priority | Falco priority, 0 Debug … 7 Emergency | the rule author's own judgement of severity |
 * | rule_rarity | bits: log2((n+1)/(count(rule)+1)) | a rule that seldom fires is news; a chatty one is background |
 * | process_rarity | bits, of proc.name | `xmrig` where `bash` is normal |
 * | parent_rarity | bits, of proc.pname | a shell whose parent is a web server, not runc |
 * | user_rarity | bits, of user.name / ka.user.name | an API user or container user not seen before |
 * | rule_process_rarity | bits, of (rule, proc.name) | a common rule fired by a process it never fires for (curl calling the API) |
 * | namespace_rule_rarity | bits, of (namespace or host, rule) | a common rule in a place it never fires (exec into kube-system) |
 * | workload_rarity | bits, of the workload (contracts/workload.ts) | a workload that never alerted before |
 * | workload_rule_rarity | bits of the rule *given the workload*: log2((n_w+8)/(count(w,rule)+1)) | a shell in `checkout`, where shells never happen, even if they are daily in the toolbox |
 * | workload_behaviour_rarity | the same, of (rule, process, parent) given the workload | node-exporter's `cat /etc/shadow` stays normal for node-exporter, and rare for anyone else |
 * | in_container | 1 container, 0 host or API | host-level alerts are rarer and reach further |
 * | k8s_audit | 1 for k8s-audit alerts | audit and syscall alerts live in different value ranges |
 * | sensitive_path | 0 none, 1 system dirs, 2 credentials | fd/path/cmdline touching secrets or binaries |
 * | outbound_connection | 0 none, 1 private peer, 2 public peer | a pod talking to the internet (miner pools, C2) |
 * | workload_burst_rate | log2 of a decayed alert count (half-life 60 s), in ½ steps | one alert vs a storm on the same workload |
 * | workload_distinct_rules | distinct rules on the workload in 10 min (≤ 16) | attacks chain steps: shell, then API call, then write |
 * | namespace_critical | 1 in the policy's always-escalate namespaces | control plane and Vigil itself |
 * | cmdline_entropy | bits per character of the command line, in ¼ steps | encoded payloads and one-liners |
 * | cmdline_length | floor(log2(1 + characters)) | droppers and reverse shells are long; `ls` is short |
 * | user_root | 1 when the process runs as root | the same action as root reaches further |
 *
 * The subject of windows and per-workload rarity is the workload (namespace + owner), never the
 * pod, so a rollout's new pod names change nothing. There is no time-of-day feature: a model
 * trained on one hour would find every other hour anomalous. Windows run on the time the core
 * gives (the alert's own, or its receive time when the alert's is implausible).
 */
export const FEATURE_NAMES = [
  'priority',
  'rule_rarity',
  'process_rarity',
  'parent_rarity',
  'user_rarity',
  'rule_process_rarity',
  'namespace_rule_rarity',
  'workload_rarity',
  'workload_rule_rarity',
  'workload_behaviour_rarity',
  'in_container',
  'k8s_audit',
  'sensitive_path',
  'outbound_connection',
  'workload_burst_rate',
  'workload_distinct_rules',
  'namespace_critical',
  'cmdline_entropy',
  'cmdline_length',
  'user_root',
] as const;
export type FeatureName = (typeof FEATURE_NAMES)[number];
export const FEATURE_COUNT = FEATURE_NAMES.length;

const PRIORITY_ORDINAL: Record<FalcoPriority, number> = {
  Debug: 0,
  Informational: 1,
  Notice: 2,
  Warning: 3,
  Error: 4,
  Critical: 5,
  Alert: 6,
  Emergency: 7,
};

/** Tables counted over the whole stream (rarity = bits against the total). */
const GLOBAL_TABLES = ['rule', 'process', 'parent', 'user', 'ruleProcess', 'namespaceRule', 'workload'] as const;
/** Tables of (workload, x) pairs, read as rarity of x given the workload. */
const WORKLOAD_TABLES = ['workloadRule', 'workloadBehaviour'] as const;
export const RARITY_TABLES = [...GLOBAL_TABLES, ...WORKLOAD_TABLES] as const;
export type RarityTableName = (typeof RARITY_TABLES)[number];

/**
 * Pseudo-count added to a workload's total in conditional rarity: what a never-seen behaviour of
 * a never-seen workload is worth (3 bits), where the same behaviour new to a workload seen a
 * thousand times is worth 10.
 */
const WORKLOAD_PRIOR = 8;

/** What a trained model remembers of the extractor: the rarity it saw, and the window settings. */
export interface ExtractorBaseline {
  rarity: Record<RarityTableName, RaritySnapshot>;
  windows: Pick<WindowOptions, 'burstHalfLifeMs' | 'distinctRulesWindowMs'>;
}

export interface ExtractorOptions {
  windows?: Partial<WindowOptions>;
  /** Distinct values remembered per rarity table. */
  maxRarityKeys?: number;
  /** Counts to start from (a model's baseline), so a restarted gate does not find everything rare. */
  baseline?: ExtractorBaseline;
  /** When false, rarity is read but never updated (the gate with a model's baseline, training's second pass). */
  learnRarity?: boolean;
  criticalNamespaces?: Iterable<string>;
}

/** Who an alert is about, as the core computed it once per event. */
export interface AlertSubject {
  /** workloadKey(workloadOf(alert)). */
  workload: string;
  namespace: string | undefined;
}

export const DEFAULT_MAX_RARITY_KEYS = 50_000;
const NONE = '\u0000none';

/** The alert's own time in ms (0 when unparseable; the schema refuses that anyway). */
export function timeOf(alert: FalcoAlert): number {
  const at = Date.parse(alert.time);
  return Number.isNaN(at) ? 0 : at;
}

/** The subject as the core computes it; for callers that do not go through the core (training, tests). */
export function alertSubject(alert: FalcoAlert, workload: Workload = workloadOf(alert)): AlertSubject {
  return { workload: workloadKey(workload), namespace: workload.namespace === '-' ? undefined : workload.namespace };
}

function text(v: FalcoFieldValue | undefined): string | undefined {
  if (typeof v === 'string') return v.length > 0 ? v : undefined;
  if (typeof v === 'number') return String(v);
  return undefined;
}

/** The values each rarity table counts; audit alerts have no process, so their process is none. */
function rarityKeys(alert: FalcoAlert, subject: AlertSubject): Record<RarityTableName, string> {
  const f = alert.output_fields;
  const proc = text(f['proc.name']) ?? NONE;
  const parent = text(f['proc.pname']) ?? NONE;
  // Host alerts count as one place (a rule new to one node of a fleet is not news); audit alerts on
  // cluster-scoped objects as another.
  const where = subject.namespace ?? (text(f['ka.user.name']) !== undefined ? '\u0000cluster' : '\u0000host');
  return {
    rule: alert.rule,
    process: proc,
    parent,
    user: text(f['user.name']) ?? text(f['ka.user.name']) ?? NONE,
    ruleProcess: `${alert.rule}\u0000${proc}`,
    namespaceRule: `${where}\u0000${alert.rule}`,
    workload: subject.workload,
    workloadRule: `${subject.workload}\u0000${alert.rule}`,
    workloadBehaviour: `${subject.workload}\u0000${alert.rule}\u0000${proc}\u0000${parent}`,
  };
}

/**
 * Turns alerts into rows of FEATURE_NAMES, in stream order, keeping the bounded state that the
 * window and rarity features need. Not thread-safe by design: one extractor per stream.
 */
export class FeatureExtractor {
  readonly windows: SubjectWindows;
  private readonly rarity: Record<RarityTableName, RarityTable>;
  private learnRarity: boolean;
  private readonly maxRarityKeys: number;
  private critical: Set<string>;

  constructor(options: ExtractorOptions = {}) {
    const windowOptions = { ...DEFAULT_WINDOW_OPTIONS, ...options.baseline?.windows, ...options.windows };
    this.windows = new SubjectWindows(windowOptions);
    this.maxRarityKeys = options.maxRarityKeys ?? DEFAULT_MAX_RARITY_KEYS;
    const snap = options.baseline?.rarity;
    this.rarity = Object.fromEntries(RARITY_TABLES.map((t) => [t, new RarityTable(this.maxRarityKeys, snap?.[t])])) as Record<RarityTableName, RarityTable>;
    this.learnRarity = options.learnRarity ?? true;
    this.critical = new Set(options.criticalNamespaces ?? []);
  }

  /**
   * A new model brings the rarity it was trained with; the per-workload windows are about the live
   * stream, not the model, so they carry over.
   */
  resetRarity(baseline: ExtractorBaseline | undefined, learn: boolean = baseline === undefined): void {
    this.learnRarity = learn;
    const snap = baseline?.rarity;
    for (const t of RARITY_TABLES) this.rarity[t] = new RarityTable(this.maxRarityKeys, snap?.[t]);
  }

  /** The policy's always-escalate namespaces changed (policy hot reload). */
  setCriticalNamespaces(namespaces: Iterable<string>): void {
    this.critical = new Set(namespaces);
  }

  /** Counts one alert into the rarity tables without producing a row (training's first pass). */
  observeRarity(alert: FalcoAlert, subject: AlertSubject = alertSubject(alert)): void {
    const k = rarityKeys(alert, subject);
    for (const t of RARITY_TABLES) this.rarity[t].observe(k[t]);
  }

  /**
   * Writes the alert's row into `out` at `offset` (FEATURE_COUNT values) and updates the state.
   * `atMs` is the time the windows run on (the core's plausible time for the alert).
   */
  extract(alert: FalcoAlert, out: Float64Array, offset = 0, subject: AlertSubject = alertSubject(alert), atMs: number = timeOf(alert)): void {
    const f = alert.output_fields;
    const k = rarityKeys(alert, subject);
    const cmdline = text(f['proc.cmdline']) ?? text(f['ka.uri.param[command]']);
    const fdName = text(f['fd.name']);
    const container = text(f['container.id']);
    const audit = alert.source === 'k8s_audit' || f['ka.user.name'] !== undefined || f['ka.verb'] !== undefined;
    const activity = this.windows.observe(subject.workload, alert.rule, atMs);
    const workloadCount = this.rarity.workload.count(k.workload);

    let i = offset;
    out[i++] = PRIORITY_ORDINAL[alert.priority];
    for (const t of GLOBAL_TABLES) out[i++] = this.rarity[t].rarity(k[t]);
    for (const t of WORKLOAD_TABLES) out[i++] = Math.min(MAX_RARITY_BITS, Math.log2((workloadCount + WORKLOAD_PRIOR) / (this.rarity[t].count(k[t]) + 1)));
    if (this.learnRarity) for (const t of RARITY_TABLES) this.rarity[t].observe(k[t]);
    out[i++] = container !== undefined && container !== 'host' ? 1 : 0;
    out[i++] = audit ? 1 : 0;
    out[i++] = pathSensitivity([fdName, text(f['fs.path.name']), text(f['fs.path.target']), cmdline]);
    out[i++] = connectionClass(fdName, text(f['fd.rip']), cmdline);
    out[i++] = Math.round(2 * Math.log2(activity.burst)) / 2;
    out[i++] = activity.distinctRules;
    out[i++] = subject.namespace !== undefined && this.critical.has(subject.namespace) ? 1 : 0;
    out[i++] = Math.round(4 * shannonEntropy(cmdline)) / 4;
    out[i++] = Math.floor(Math.log2(1 + (cmdline?.length ?? 0)));
    out[i++] = text(f['user.name']) === 'root' || f['user.uid'] === 0 ? 1 : 0;
  }

  /** One row as a fresh array (tests, tools); the gate writes straight into its batch matrix. */
  row(alert: FalcoAlert): Float64Array {
    const out = new Float64Array(FEATURE_COUNT);
    this.extract(alert, out);
    return out;
  }

  baseline(maxKeysPerTable = DEFAULT_MAX_RARITY_KEYS): ExtractorBaseline {
    const { burstHalfLifeMs, distinctRulesWindowMs } = this.windows.options;
    const rarity = Object.fromEntries(RARITY_TABLES.map((t) => [t, this.rarity[t].snapshot(maxKeysPerTable)])) as Record<RarityTableName, RaritySnapshot>;
    return { rarity, windows: { burstHalfLifeMs, distinctRulesWindowMs } };
  }

  /** Bounded-state sizes, for metrics and the memory benchmark. */
  stateSize(): { subjects: number; rarityKeys: number } {
    return { subjects: this.windows.size, rarityKeys: RARITY_TABLES.reduce((n, t) => n + this.rarity[t].size, 0) };
  }
}
