import { readFileSync } from 'node:fs';
import { parsePrompt } from '../../../activities/analysis/prompt';
import { fromRoot } from '../../../lib/paths';

const repoPrompt = readFileSync(fromRoot('prompts', 'analysis.yaml'), 'utf8');

describe('the versioned AgentPrompt custom resource', () => {
  it('parses the prompt shipped in the repo', () => {
    const p = parsePrompt(repoPrompt, 'prompts/analysis.yaml');
    expect(p).toMatchObject({ apiVersion: 'vigil.dev/v1alpha1', kind: 'AgentPrompt', metadata: { name: 'analysis' }, spec: { agent: 'analysis' } });
    expect(p.spec.version).toMatch(/^\d+\.\d+\.\d+/);
  });

  it.each([
    ['not YAML', 'spec: [unclosed', /not valid YAML/],
    ['another kind', repoPrompt.replace('kind: AgentPrompt', 'kind: ConfigMap'), /kind/],
    ['no placeholder', repoPrompt.replace('{{alert_json}}', 'the alert'), /spec\.user: user must contain the placeholder \{\{alert_json\}\} exactly once/],
    ['a placeholder twice', repoPrompt.replace('{{alert_json}}', '{{alert_json}} {{alert_json}}'), /exactly once/],
    ['a version that is neither semver nor a date', repoPrompt.replace(/version: ".*"/, 'version: "latest"'), /spec\.version/],
  ])('refuses %s with a clear error naming the file', (_what, text, message) => {
    expect(() => parsePrompt(text, 'mounted/prompt.yaml')).toThrow(message);
    expect(() => parsePrompt(text, 'mounted/prompt.yaml')).toThrow(/mounted\/prompt\.yaml/);
  });
});
