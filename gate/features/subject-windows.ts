import { BoundedMap } from './bounded-map';

export interface WindowOptions {
  /** Half-life of the decayed alert count behind `workload_burst_rate`. */
  burstHalfLifeMs: number;
  /** How far back `workload_distinct_rules` looks. */
  distinctRulesWindowMs: number;
  /** Subjects (workloads, hosts, objects) remembered; the least recently alerting are forgotten. */
  maxSubjects: number;
}

export const DEFAULT_WINDOW_OPTIONS: WindowOptions = { burstHalfLifeMs: 60_000, distinctRulesWindowMs: 10 * 60_000, maxSubjects: 100_000 };

/** Rules remembered per subject: enough to say "many different rules", small enough to stay bounded. */
export const MAX_RULES_PER_SUBJECT = 16;

interface SubjectState {
  /** Exponentially decayed alert count as of `at`. */
  rate: number;
  at: number;
  rules: string[];
  ruleSeenAt: number[];
}

export interface SubjectActivity {
  /** Decayed count of alerts for the subject, this one included (1 for a first alert). */
  burst: number;
  /** Distinct rules the subject raised within the window, this one included. */
  distinctRules: number;
}

/**
 * Per-subject activity in time windows, keyed by the time the core gives (so a replay computes what
 * live traffic did). A burst is a decayed count rather than a list of timestamps: constant memory
 * per subject however fast it alerts. A late alert adds what it is worth at the subject's latest
 * time, so interleaved partitions or a replay do not fake a burst.
 */
export class SubjectWindows {
  private readonly subjects: BoundedMap<string, SubjectState>;
  private readonly decayPerMs: number;

  constructor(readonly options: WindowOptions = DEFAULT_WINDOW_OPTIONS) {
    if (!(options.burstHalfLifeMs > 0) || !(options.distinctRulesWindowMs > 0)) throw new Error('window lengths must be positive');
    this.subjects = new BoundedMap(options.maxSubjects);
    this.decayPerMs = Math.LN2 / options.burstHalfLifeMs;
  }

  get size(): number {
    return this.subjects.size;
  }

  get evictions(): number {
    return this.subjects.evictions;
  }

  observe(subject: string, rule: string, atMs: number): SubjectActivity {
    let s = this.subjects.get(subject);
    if (s === undefined) {
      s = { rate: 0, at: atMs, rules: [], ruleSeenAt: [] };
      this.subjects.set(subject, s);
    }
    const elapsed = atMs - s.at;
    let burst: number;
    if (elapsed > 0) {
      s.rate = s.rate * Math.exp(-elapsed * this.decayPerMs) + 1;
      s.at = atMs;
      burst = s.rate;
    } else {
      // Late (another partition, a replay): it adds what it is worth at the subject's latest
      // time, and sees the current burst discounted by how late it is, so an old event neither
      // fakes a burst nor inherits one.
      const weight = Math.exp(elapsed * this.decayPerMs);
      s.rate += weight;
      burst = Math.max(1, s.rate * weight);
    }

    let slot = s.rules.indexOf(rule);
    if (slot < 0 && s.rules.length < MAX_RULES_PER_SUBJECT) {
      slot = s.rules.push(rule) - 1;
      s.ruleSeenAt.push(atMs);
    } else if (slot < 0) {
      // Full: the rule seen longest ago makes room.
      slot = 0;
      for (let i = 1; i < s.rules.length; i++) if (s.ruleSeenAt[i]! < s.ruleSeenAt[slot]!) slot = i;
      s.rules[slot] = rule;
      s.ruleSeenAt[slot] = atMs;
    } else {
      s.ruleSeenAt[slot] = Math.max(s.ruleSeenAt[slot]!, atMs);
    }
    // Rules seen within the window either side of this alert's time (a late alert must not count
    // rules that fired long after it).
    const window = this.options.distinctRulesWindowMs;
    let distinct = 0;
    for (const seen of s.ruleSeenAt) if (seen > atMs - window && seen < atMs + window) distinct += 1;
    return { burst, distinctRules: Math.max(1, distinct) };
  }
}
