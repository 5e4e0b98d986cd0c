import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { parsePrompt } from '../../../activities/analysis/prompt';
import type { Actionner } from '../../../activities/remediation/actionner';
import { BUILTIN_ACTIONNERS, defaultRegistry } from '../../../activities/remediation/registry';
import { AGENT_NAMES, TASK_QUEUES } from '../../../contracts';
import { WORKER_NAMES } from '../../../lib/devstack/stack';
import type { ActionnerRbacFile } from '../../../scripts/chart/chart-files';
import { actionnerRbacFile, CHART_DIR, staleChartFiles, valuesSchemaFile } from '../../../scripts/chart/chart-files';

const chartFile = (path: string) => readFileSync(join(CHART_DIR, path), 'utf8');

/** A JSON value a Helm helper defines, e.g. {{- define "vigil.agents" -}} [...] {{- end -}}. */
function helperJson(name: string): unknown {
  const helpers = chartFile('templates/_helpers.tpl');
  const m = new RegExp(`define "${name}" -}}\\s*([\\s\\S]*?)\\s*{{- end -}}`).exec(helpers);
  if (!m?.[1]) throw new Error(`no helper ${name}`);
  return JSON.parse(m[1]) as unknown;
}

describe('chart files generated from the code', () => {
  it('are what the code says now (regenerate with node dist/scripts/chart/gen-chart-files.js)', () => {
    expect(staleChartFiles()).toEqual([]);
  });

  it('declare, per actionner, exactly the RBAC the registry computes for it', () => {
    const file = JSON.parse(chartFile('files/actionner-rbac.json')) as ActionnerRbacFile;
    const registry = defaultRegistry();
    expect(Object.keys(file.actionners).sort()).toEqual(registry.list().map((a) => a.name).sort());
    for (const [name, rules] of Object.entries(file.actionners)) {
      const flatten = (rs: typeof rules) => rs.flatMap((r) => r.apiGroups.flatMap((g) => r.resources.flatMap((res) => r.verbs.map((v) => `${g}/${res}:${v}`)))).sort();
      expect(flatten(rules)).toEqual(flatten(registry.rbac([name])));
    }
  });

  it('notice a new actionner or a changed permission (the freshness check can fail)', () => {
    const drain: Actionner = { ...BUILTIN_ACTIONNERS[0]!, name: 'kubernetes:drain', rbac: [{ apiGroups: [''], resources: ['nodes'], verbs: ['patch'] }] };
    expect(actionnerRbacFile([...BUILTIN_ACTIONNERS, drain]).content).not.toEqual(chartFile('files/actionner-rbac.json'));
    expect(valuesSchemaFile(chartFile('values.schema.json'), [...BUILTIN_ACTIONNERS, drain]).content).toContain('"kubernetes:drain"');
    expect(chartFile('values.schema.json')).not.toContain('"kubernetes:drain"');
  });

  it('ship the repo prompt, which the analysis agent accepts as an AgentPrompt', () => {
    const shipped = chartFile('files/prompts/analysis.yaml');
    expect(parsePrompt(shipped, 'chart').spec.agent).toBe('analysis');
  });
});

describe('chart defaults agree with the code they deploy', () => {
  const values = parse(chartFile('values.yaml')) as Record<string, { taskQueue?: string; enabled?: boolean }>;

  it('give each worker the task queue the incident workflow routes to', () => {
    expect(helperJson('vigil.workflowQueues')).toEqual(TASK_QUEUES);
    for (const [name, queue] of Object.entries(TASK_QUEUES)) expect(values[name]?.taskQueue).toBe(queue);
  });

  it('deploy every worker process plus the gate, and treat exactly the agents as A2A servers', () => {
    expect(helperJson('vigil.components')).toEqual([...WORKER_NAMES, 'gate']);
    expect(helperJson('vigil.agents')).toEqual([...AGENT_NAMES]);
    for (const name of [...WORKER_NAMES, 'gate']) expect(values[name]?.enabled).toBe(true);
  });

  it('enable every built-in actionner, in dry-run', () => {
    const remediation = values.remediation as unknown as { actionners: string[]; dryRun: boolean };
    expect(remediation.actionners).toEqual(BUILTIN_ACTIONNERS.map((a) => a.name));
    expect(remediation.dryRun).toBe(true);
  });
});
