import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { fromRoot } from '../../lib/paths';
import { toolPath } from '../../lib/tools';
import { runCommand } from './run-command';

/**
 * `helm template` of charts/vigil by the pinned helm (scripts/setup.sh helm), for tests that
 * apply what the chart renders to the local API server (test/helpers/kube-cluster.ts).
 */

export interface ChartObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [k: string]: unknown;
}

export const CHART_DIR = fromRoot('charts', 'vigil');
/** The local API server's version (scripts/kube.sh), so capabilities checks render what it serves. */
export const LOCAL_KUBE_VERSION = '1.35.4';

export function helmPath(): string {
  return toolPath('helm', 'HELM_BIN');
}

export function chartExample(name: string): string {
  return fromRoot('charts', 'vigil', 'examples', name);
}

/**
 * Value args that let the shared checkout's chart render without the review policy bundle (build
 * output, not in git): for tests that look only at identities and RBAC, not at the policy.
 */
export const WITHOUT_POLICY_BUNDLE = ['--set', 'review.policy.existingConfigMap=vigil-policy'];

export interface PreparedChart {
  dir: string;
  remove(): void;
}

/** A private copy of the chart with the policy bundle built into it (never into the shared checkout). */
export async function prepareChart(): Promise<PreparedChart> {
  const work = mkdtempSync(join(tmpdir(), 'vigil-chart-'));
  const dir = join(work, 'vigil');
  cpSync(CHART_DIR, dir, { recursive: true, filter: (src) => !src.includes(join('files', 'policy')) });
  const built = await runCommand('bash', [fromRoot('scripts', 'chart', 'gen-chart-policy.sh'), dir], { timeoutMs: 180_000 });
  if (built.code !== 0) throw new Error(`gen-chart-policy.sh failed: ${built.stderr}`);
  return { dir, remove: () => rmSync(work, { recursive: true, force: true }) };
}

/** Renders the chart (release `release` in `namespace`, CRDs included) and parses every object. */
export async function helmTemplate(args: string[], opts: { release?: string; namespace?: string; chartDir?: string } = {}): Promise<ChartObject[]> {
  const r = await runCommand(
    helmPath(),
    ['template', opts.release ?? 'rel', opts.chartDir ?? CHART_DIR, '--namespace', opts.namespace ?? 'vigil', '--kube-version', LOCAL_KUBE_VERSION, '--include-crds', ...args],
    { timeoutMs: 60_000 },
  );
  if (r.code !== 0) throw new Error(`helm template ${args.join(' ')} failed: ${r.stderr}`);
  return parseAllDocuments(r.stdout)
    .map((d) => d.toJS() as ChartObject | null)
    .filter((o): o is ChartObject => o !== null);
}

const DIGEST = `sha256:${'a'.repeat(64)}`;

/** The value sets the chart is tested with (offline in helm-chart.test.ts, on the API server in helm-install.test.ts): name -> helm args for a chart dir. */
export const TESTED_VALUE_SETS: Record<string, (chartDir: string) => string[]> = {
  default: () => [],
  'cilium, Temporal Cloud, monitoring': (dir) => ['-f', join(dir, 'examples', 'values-cilium-temporal-cloud.yaml')],
  'kyverno, provided certificates, mTLS to Temporal': (dir) => ['-f', join(dir, 'examples', 'values-kyverno-provided-certs.yaml')],
  'acting remediation in two namespaces, user ClusterIssuer': (dir) => ['-f', join(dir, 'examples', 'values-acting-remediation.yaml')],
  'minimal: no TLS, no network policy': (dir) => ['-f', join(dir, 'examples', 'values-minimal.yaml')],
  'cilium, kyverno and cert-manager together': () => ['--set', 'networkPolicy.provider=cilium', '--set', 'kyverno.enabled=true', '--set', `image.digest=${DIGEST}`, '--set', 'monitoring.prometheusRule.enabled=true'],
};
