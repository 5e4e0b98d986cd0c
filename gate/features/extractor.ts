import type { FalcoAlert, FalcoFieldValue, FalcoPriority, Workload } from '../../contracts';
import { workloadKey, workloadOf } from '../../contracts';
import type { RaritySnapshot } from './rarity';
import { MAX_RARITY_BITS, RarityTable } from './rarity';
import { connectionClass, pathSensitivity } from '../../contracts/alert-signals';
import { shannonEntropy } from './signals';
import type { WindowOptions } from './subject-windows';
import { DEFAULT_WINDOW_OPTIONS, SubjectWindows } from './subject-windows';

/**
 * The feature vector, in model order. A model stores these names and the gate refuses a model
 * whose names differ, so renaming, adding or reordering a feature means retraining.
 *
 * | feature | value | why it earns its place |
 * |---|---|---|
 * | priority | Falco priority, 0 Debug … 7 Emergency | the rule author's own judgement of severity |
 * | rule_rarity | bits: log2((n+1)/(count(rule)+1)) | a rule that seldom fires anywhere is news |
 * | workload_rule_rarity | bits of the rule *given the workload*: log2((n_w+8)/(count(w,rule)+1)) | a shell in `checkout`, where shells never happen, even if they are daily in the toolbox |
 * | workload_behaviour_rarity | the same, of (rule, process, parent) given the workload | node-exporter's `cat /etc/shadow` stays normal for node-exporter, and rare for anyone else |
 * | workload_process_rarity | the same, of proc.name given the workload | `xmrig` or `curl` in a workload that only ever ran `java` |
 * | workload_user_rarity | the same, of the user given the workload | root where the workload always ran as `app` |
 * | namespace_rule_rarity | the same, of the rule given the namespace (or host, or cluster scope) | a common rule in a place it never fires (exec into kube-system) |
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
 * Rarity is conditional on where the alert happens, not counted against the whole stream: a
 * quiet workload's usual alerts are as normal as a chatty one's (global counts made every alert of
 * a workload that alerts twice an hour look rare, and passed them), and a never-seen workload's
 * alerts are worth log2(8) = 3 bits each, where the same behaviour new to a workload seen a
 * thousand times is worth 10. The subject of windows and rarity is the workload (namespace +
 * owner), never the pod, so a rollout's new pod names change nothing. There is no time-of-day
 * feature: a model trained on one hour would find every other hour anomalous. Windows run on
 * the time the core gives (the alert's own, or its receive time when the alert's is implausible).
 */
export const FEATURE_NAMES = [
  'priority',
  'rule_rarity',
  'workload_rule_rarity',
  'workload_behaviour_rarity',
  'workload_process_rarity',
  'workload_user_rarity',
  'namespace_rule_rarity',
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

/** Tables counted over the whole stream: the rule (a feature), and the totals conditional rarity divides by. */
const GLOBAL_TABLES = ['rule', 'workload', 'namespace'] as const;
/** Tables of (place, x) pairs, each read as the rarity of x given its place (the second name). */
const CONDITIONAL_TABLES = [
  ['workloadRule', 'workload'],
  ['workloadBehaviour', 'workload'],
  ['workloadProcess', 'workload'],
  ['workloadUser', 'workload'],
  ['namespaceRule', 'namespace'],
] as const;
export const RARITY_TABLES = [...GLOBAL_TABLES, ...CONDITIONAL_TABLES.map(([t]) => t)] as const;
export type RarityTableName = (typeof RARITY_TABLES)[number];

/** Sightings after which a behaviour is as familiar as it gets (2^10 - 1). */
const FAMILIAR_BITS = 10;

/**
 * How new something is *here*: 10 for never seen, 9 for seen once, ... 0 for seen a thousand
 * times. A count, not a share of the place's traffic, so a chatty workload's occasional habit
 * (seen 15 times in the hour) is as familiar as a quiet workload's, and a first time is a first
 * time however busy the workload is.
 */
function novelty(count: number): number {
  return Math.max(0, FAMILIAR_BITS - Math.round(2 * Math.log2(1 + count)) / 2);
}

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
  /** Training's second pass: read each alert's counts without its own sighting (the baseline includes it). */
  leaveOneOut?: boolean;
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
  const user = text(f['user.name']) ?? text(f['ka.user.name']) ?? NONE;
  // Host alerts count as one place (a rule new to one node of a fleet is not news); audit alerts on
  // cluster-scoped objects as another.
  const where = subject.namespace ?? (text(f['ka.user.name']) !== undefined ? '\u0000cluster' : '\u0000host');
  const w = subject.workload;
  return {
    rule: alert.rule,
    workload: w,
    namespace: where,
    workloadRule: `${w}\u0000${alert.rule}`,
    workloadBehaviour: `${w}\u0000${alert.rule}\u0000${proc}\u0000${parent}`,
    workloadProcess: `${w}\u0000${proc}`,
    workloadUser: `${w}\u0000${user}`,
    namespaceRule: `${where}\u0000${alert.rule}`,
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
  private readonly leaveOneOut: boolean;
  private readonly maxRarityKeys: number;
  private critical: Set<string>;

  constructor(options: ExtractorOptions = {}) {
    const windowOptions = { ...DEFAULT_WINDOW_OPTIONS, ...options.baseline?.windows, ...options.windows };
    this.windows = new SubjectWindows(windowOptions);
    this.maxRarityKeys = options.maxRarityKeys ?? DEFAULT_MAX_RARITY_KEYS;
    const snap = options.baseline?.rarity;
    this.rarity = Object.fromEntries(RARITY_TABLES.map((t) => [t, new RarityTable(this.maxRarityKeys, snap?.[t])])) as Record<RarityTableName, RarityTable>;
    this.learnRarity = options.learnRarity ?? true;
    this.leaveOneOut = (options.leaveOneOut ?? false) && !this.learnRarity;
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

    let i = offset;
    out[i++] = PRIORITY_ORDINAL[alert.priority];
    out[i++] = this.rarity.rule.rarity(k.rule);
    // Training rows are counted in the very baseline they are read against; without their own
    // sighting they look the way an unseen alert will look to the gate (a key seen once in the
    // window is as new as a key never seen), so the forest learns how new normal traffic gets.
    const own = this.leaveOneOut ? 1 : 0;
    for (const [t] of CONDITIONAL_TABLES) out[i++] = novelty(Math.max(0, this.rarity[t].count(k[t]) - own));
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

  /**
   * A rule the baseline never saw this workload raise, on a workload it knows well (at least
   * `minSightings` alerts): "the first time this happens here". The model's counts only, so the
   * answer depends on the model, not on what the stream did since the gate started.
   */
  firstForWorkload(alert: FalcoAlert, subject: AlertSubject, minSightings: number): boolean {
    if (this.rarity.workload.count(subject.workload) < minSightings) return false;
    return this.rarity.workloadRule.count(`${subject.workload}\u0000${alert.rule}`) === 0;
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
