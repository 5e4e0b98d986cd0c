import { register } from 'prom-client';
import { AGENT_NAMES } from '../contracts';
import type { AgentName } from '../contracts';
import { gauge } from './metrics';

/**
 * The three compliance figures from the design, each defined where it can be observed honestly
 * (see docs/ARCHITECTURE.md, "Metrics"):
 *
 * - least-agency ratio, per agent process: capabilities it actually exercised ÷ capabilities it
 *   was granted (its A2A/Temporal skills plus the tools its deployment gives it: actionners for
 *   remediation, the LLM endpoint for analysis, its notifier). 1 means nothing granted went unused.
 * - five-signal coverage, in the coordinator (the only process that sees every agent's side of the
 *   conversation): share of the four agent classes whose latest exchange was observed on all of
 *   metrics, logs, traces, A2A messages and policy decisions.
 * - step-mutation intervention rate, in the review process: mutated ÷ (mutated + blocked + passed)
 *   flagged actions, read from the policy's own `vigil_review_flagged_actions_total` counter.
 */

// ---- least agency ----------------------------------------------------------------------------

const granted = new Map<string, Set<string>>();
const used = new Map<string, Set<string>>();

const capabilityUsed = gauge({ name: 'vigil_agent_capability_used', help: '1 once this process exercised a capability it was granted (skill, actionner, tool), 0 while it has not.', labelNames: ['agent', 'capability'] as const });

const leastAgency = gauge({
  name: 'vigil_least_agency_ratio',
  help: 'Capabilities exercised / capabilities granted for this agent process since start (1 = no unused grant).',
  labelNames: ['agent'] as const,
  collect() {
    for (const agent of granted.keys()) this.set({ agent }, leastAgencyRatio(agent));
  },
});

/** What an agent process may do: its skills and the tools its deployment grants it. */
export function declareGrants(agent: string, capabilities: readonly string[]): void {
  const caps = granted.get(agent) ?? new Set<string>();
  granted.set(agent, caps);
  for (const c of capabilities) {
    caps.add(c);
    if (!used.get(agent)?.has(c)) capabilityUsed().set({ agent, capability: c }, 0);
  }
  leastAgency();
}

/** Records that an agent exercised a capability; one it was never granted is added, never hidden. */
export function markUsed(agent: string, capability: string): void {
  const caps = granted.get(agent) ?? new Set<string>();
  granted.set(agent, caps);
  caps.add(capability);
  const u = used.get(agent) ?? new Set<string>();
  used.set(agent, u);
  u.add(capability);
  capabilityUsed().set({ agent, capability }, 1);
  leastAgency();
}

export function leastAgencyRatio(agent: string): number {
  const caps = granted.get(agent);
  return !caps || caps.size === 0 ? 1 : (used.get(agent)?.size ?? 0) / caps.size;
}

// ---- five-signal coverage --------------------------------------------------------------------

export const SIGNALS = ['metrics', 'logs', 'traces', 'a2a', 'policy'] as const;
export type Signal = (typeof SIGNALS)[number];
export type SignalSet = Record<Signal, boolean>;

const latest = new Map<AgentName, SignalSet>();

const signalObserved = gauge({ name: 'vigil_agent_signal_observed', help: "1 when the agent's latest exchange seen by the coordinator was observed on this signal.", labelNames: ['agent', 'signal'] as const });

const coverage = gauge({
  name: 'vigil_five_signal_coverage',
  help: 'Share of the agent classes whose latest exchange was observed on all five signals (metrics, logs, traces, A2A messages, policy decisions).',
  collect() {
    this.set(fiveSignalCoverage());
  },
});

export function recordAgentSignals(agent: AgentName, signals: SignalSet): void {
  latest.set(agent, signals);
  for (const s of SIGNALS) signalObserved().set({ agent, signal: s }, signals[s] ? 1 : 0);
  coverage();
}

/** Agents never seen count as not covered: coverage is over every agent class, not the ones that spoke. */
export function fiveSignalCoverage(): number {
  const covered = AGENT_NAMES.filter((a) => {
    const s = latest.get(a);
    return s !== undefined && SIGNALS.every((k) => s[k]);
  });
  return covered.length / AGENT_NAMES.length;
}

/** Registers the coverage gauge up front so the family is on /metrics before the first incident. */
export function exportFiveSignalCoverage(): void {
  coverage();
}

// ---- step-mutation intervention rate ---------------------------------------------------------

export const FLAGGED_ACTIONS_METRIC = 'vigil_review_flagged_actions_total';

/** Sums the policy's flagged-action counter by disposition; absent counter → nothing flagged. */
export async function flaggedByDisposition(): Promise<Record<string, number>> {
  const counter = register.getSingleMetric(FLAGGED_ACTIONS_METRIC);
  if (!counter) return {};
  const out: Record<string, number> = {};
  for (const v of (await counter.get()).values) {
    const d = String(v.labels.disposition ?? 'unknown');
    out[d] = (out[d] ?? 0) + v.value;
  }
  return out;
}

/** mutated ÷ all flagged; undefined while nothing was flagged (a rate of nothing is not 0). */
export function interventionRate(byDisposition: Record<string, number>): number | undefined {
  const total = Object.values(byDisposition).reduce((a, b) => a + b, 0);
  return total === 0 ? undefined : (byDisposition.mutated ?? 0) / total;
}

const stepMutationRate = gauge({
  name: 'vigil_step_mutation_intervention_rate',
  help: 'Share of policy-flagged actions rewritten in flight (mutated) rather than blocked or passed; no sample until an action is flagged.',
  async collect() {
    this.reset();
    const rate = interventionRate(await flaggedByDisposition());
    if (rate !== undefined) this.set(rate);
  },
});

export function exportStepMutationRate(): void {
  stepMutationRate();
}
