import { BoundedMap } from './bounded-map';

export interface WindowOptions {
  /** Half-life of the decayed alert count behind `pod_burst_rate`. */
  burstHalfLifeMs: number;
  /** How far back `pod_distinct_rules` looks. */
  distinctRulesWindowMs: number;
  /** Subjects (pods, hosts, objects) remembered; the least recently alerting are forgotten. */
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
 * Per-subject activity in time windows, keyed by the alert's own time (so a replay computes what
 * live traffic did). A burst is a decayed count rather than a list of timestamps: constant memory
 * per subject however fast it alerts. Alerts arriving out of order never decay the count backwards.
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
    if (elapsed > 0) {
      s.rate *= Math.exp(-elapsed * this.decayPerMs);
      s.at = atMs;
    }
    s.rate += 1;

    const since = atMs - this.options.distinctRulesWindowMs;
    let slot = -1;
    let oldest = 0;
    let distinct = 0;
    for (let i = 0; i < s.rules.length; i++) {
      if (s.rules[i] === rule) slot = i;
      else if (s.ruleSeenAt[i]! > since) distinct += 1;
      if (s.ruleSeenAt[i]! < s.ruleSeenAt[oldest]!) oldest = i;
    }
    if (slot >= 0) {
      s.ruleSeenAt[slot] = Math.max(s.ruleSeenAt[slot]!, atMs);
    } else if (s.rules.length < MAX_RULES_PER_SUBJECT) {
      s.rules.push(rule);
      s.ruleSeenAt.push(atMs);
    } else {
      s.rules[oldest] = rule;
      s.ruleSeenAt[oldest] = atMs;
    }
    return { burst: s.rate, distinctRules: distinct + 1 };
  }
}
