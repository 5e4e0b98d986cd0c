import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Suppression } from '../../../activities/review/policy-data';
import { policyDataProblems } from '../../../activities/review/policy-data';
import { addSuppression, expiryFrom, listSuppressions, removeSuppression, suppressionFor, suppressionId } from '../../../cli/suppress';
import { byRule, exampleAlert, ROOT } from '../../helpers/fixtures';
import { runVigil } from '../../helpers/run-command';

const dataCopy = () => {
  const file = join(mkdtempSync(join(tmpdir(), 'vigil-suppress-')), 'data.json');
  copyFileSync(join(ROOT, 'policies', 'data.json'), file);
  return file;
};

const entry = (over: Partial<Suppression> = {}): Suppression => ({
  id: 'monitoring-node-exporter',
  workload: { namespace: 'monitoring', kind: 'DaemonSet', name: 'node-exporter' },
  rule: 'Read sensitive file untrusted',
  process: 'node_exporter',
  author: 'alice',
  reason: 'reads /etc/shadow for its metrics',
  expires: '2027-01-31T00:00:00Z',
  ...over,
});

describe('vigil suppress edits policy data', () => {
  it('adds entries sorted by id with keys in one order, and the file stays valid policy data', () => {
    const file = dataCopy();
    addSuppression(file, entry({ id: 'zz-last' }));
    addSuppression(file, { expires: '2027-01-31T00:00:00Z', reason: 'r', author: 'bob', rule: 'Terminal shell in container', workload: { name: 'toolbox', namespace: 'dev' }, id: 'aa-first' });
    const doc = JSON.parse(readFileSync(file, 'utf8')) as { vigil: { suppressions: Suppression[] } };
    expect(doc.vigil.suppressions.map((s) => s.id)).toEqual(['aa-first', 'zz-last']);
    expect(Object.keys(doc.vigil.suppressions[0]!)).toEqual(['id', 'workload', 'rule', 'author', 'reason', 'expires']);
    expect(Object.keys(doc.vigil.suppressions[0]!.workload)).toEqual(['namespace', 'name']);
    expect(policyDataProblems(doc)).toEqual([]);
    expect(listSuppressions(file).map((s) => s.id)).toEqual(['aa-first', 'zz-last']);
  });

  it('writes the same bytes for the same content, whatever order it was added in', () => {
    const [a, b] = [dataCopy(), dataCopy()];
    addSuppression(a, entry({ id: 'one' }));
    addSuppression(a, entry({ id: 'two' }));
    addSuppression(b, entry({ id: 'two' }));
    addSuppression(b, entry({ id: 'one' }));
    expect(readFileSync(a, 'utf8')).toBe(readFileSync(b, 'utf8'));
  });

  it.each([
    ['an expiry that is not UTC to the second', entry({ expires: '2027-01-31' }), /expires must be RFC 3339 in UTC/],
    ['a namespace that is not a Kubernetes name', entry({ workload: { namespace: 'Monitoring', name: 'x' } }), /workload.namespace/],
    ['an author who is not a plain identity', entry({ author: 'alice; rm -rf' }), /author/],
    ['an unknown key', { ...entry(), scope: 'cluster' } as Suppression, /Unrecognized key/],
  ])('refuses %s and leaves the file as it was', (_name, bad, message) => {
    const file = dataCopy();
    const before = readFileSync(file, 'utf8');
    expect(() => addSuppression(file, bad)).toThrow(message);
    expect(readFileSync(file, 'utf8')).toBe(before);
  });

  it('refuses a second entry with the same id, and removes by id', () => {
    const file = dataCopy();
    addSuppression(file, entry());
    expect(() => addSuppression(file, entry())).toThrow(/already exists/);
    expect(removeSuppression(file, 'monitoring-node-exporter').rule).toBe('Read sensitive file untrusted');
    expect(listSuppressions(file)).toEqual([]);
    expect(() => removeSuppression(file, 'monitoring-node-exporter')).toThrow(/no suppression with id/);
  });

  it('refuses to edit a data file that is already invalid, naming the problem', () => {
    const file = dataCopy();
    const doc = JSON.parse(readFileSync(file, 'utf8')) as { vigil: { config: { min_confidence: unknown } } };
    doc.vigil.config.min_confidence = 'high';
    writeFileSync(file, JSON.stringify(doc));
    expect(() => addSuppression(file, entry())).toThrow(/vigil.config.min_confidence/);
  });

  it('reads expiries as dates, RFC 3339 times or durations from now, always written in UTC', () => {
    const now = new Date('2026-12-01T20:00:00.500Z');
    expect(expiryFrom('30d', now)).toBe('2026-12-31T20:00:00Z');
    expect(expiryFrom('12h', now)).toBe('2026-12-02T08:00:00Z');
    expect(expiryFrom('2027-01-31T12:00:00+02:00', now)).toBe('2027-01-31T10:00:00Z');
    expect(expiryFrom('2027-01-31', now)).toBe('2027-01-31T00:00:00Z');
    expect(() => expiryFrom('next week', now)).toThrow(/neither a date/);
  });
});

describe('vigil reject --false-positive proposes a suppression', () => {
  it('names the workload (not the pod), the rule and the process, with who, why and until when', () => {
    const alert = exampleAlert(byRule('Terminal shell in container', (a) => a.output_fields['k8s.pod.name'] === 'alpine-deployment-77789455d6-m7flp'));
    const s = suppressionFor(alert, { author: 'alice', reason: 'CI debugging', expires: '2027-01-01T00:00:00Z' });
    expect(s).toEqual({
      id: suppressionId(s),
      workload: { namespace: 'default', kind: 'Deployment', name: 'alpine-deployment' },
      rule: 'Terminal shell in container',
      process: alert.output_fields['proc.name'],
      author: 'alice',
      reason: 'CI debugging',
      expires: '2027-01-01T00:00:00Z',
    });
    // Valid as it is printed: it can go into the data file unchanged.
    const file = dataCopy();
    addSuppression(file, s);
    expect(listSuppressions(file)).toEqual([s]);
  });
});

describe('the vigil suppress command', () => {
  it('adds, lists and removes through the CLI, and refuses bad input with exit code 2', async () => {
    const file = dataCopy();
    const add = await runVigil(['suppress', 'add', '--file', file, '--workload-namespace', 'monitoring', '--kind', 'DaemonSet', '--name', 'node-exporter', '--rule', 'Read sensitive file untrusted', '--process', 'node_exporter', '--author', 'alice', '--reason', 'metrics', '--expires', '2027-01-31', '--id', 'node-exporter-shadow']);
    expect({ code: add.code, stderr: add.stderr }).toEqual({ code: 0, stderr: '' });
    const list = await runVigil(['suppress', 'list', '--file', file, '--json']);
    expect(JSON.parse(list.stdout)).toEqual([expect.objectContaining({ id: 'node-exporter-shadow', expires: '2027-01-31T00:00:00Z' })]);
    const bad = await runVigil(['suppress', 'add', '--file', file, '--workload-namespace', 'Kube-System', '--name', 'x', '--rule', 'r', '--author', 'alice', '--reason', 'r']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('workload.namespace');
    const removed = await runVigil(['suppress', 'remove', 'node-exporter-shadow', '--file', file]);
    expect(removed.code).toBe(0);
    expect((await runVigil(['suppress', 'list', '--file', file])).stdout).toBe('no suppressions\n');
  });
});
