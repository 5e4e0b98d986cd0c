import { execFile } from 'node:child_process';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { policyDataProblems } from '../activities/review/policy-data';
import { fromRoot } from '../lib/paths';
import { addAnalystKey } from '../lib/trust/analyst-keys';
import { defaultAnalystKeysDir } from '../lib/trust/decision-keys';

type Fail = (message: string, code?: number) => never;

interface AnalystEntry {
  roles: string[];
  teams: string[];
  active?: boolean;
}

/**
 * Adds (or extends) an analyst in a policy data document: roles and teams are merged, never
 * dropped, and the result must still pass the data schema before anything is written.
 */
export function withAnalyst(data: unknown, name: string, roles: string[], teams: string[]): unknown {
  const doc = structuredClone(data) as { vigil?: { config?: { analysts?: Record<string, AnalystEntry> } } };
  const analysts = doc.vigil?.config?.analysts;
  if (!analysts) throw new Error('not a Vigil policy data document (no vigil.config.analysts)');
  const had = analysts[name];
  const union = (a: string[] = [], b: string[]) => [...new Set([...a, ...b])];
  analysts[name] = { ...had, roles: union(had?.roles, roles), teams: union(had?.teams, teams) };
  const problems = policyDataProblems(doc);
  if (problems.length) throw new Error(`the policy data would be invalid:\n${problems.join('\n')}`);
  return doc;
}

function rebuildBundle(dataFile: string): Promise<string> {
  return new Promise((ok, ko) => {
    execFile('bash', [fromRoot('scripts', 'build-policy.sh'), dirname(dataFile)], { timeout: 300_000 }, (err, stdout, stderr) =>
      err ? ko(new Error(`policy rebuild failed: ${String(stderr).trim() || err.message}`)) : ok(String(stdout).trim()),
    );
  });
}

export function registerAnalystCommands(program: Command, fail: Fail): void {
  const analyst = program.command('analyst').description('analysts who may decide escalations (development keys and policy data)');
  analyst
    .command('add <name>')
    .description('create a development signing key for an analyst, publish it in the local JWKS, and add the analyst to policy data')
    .requiredOption('--role <role...>', 'role(s) the analyst holds, e.g. analyst senior')
    .option('--team <team...>', 'team(s) the analyst belongs to (the own-team rule reads them)', [])
    .option('--data <file>', 'policy data document to update', fromRoot('policies', 'data.json'))
    .option('--keys-dir <dir>', 'where development keys live (git-ignored; default $VIGIL_ANALYST_KEYS_DIR or .data/analysts)')
    .option('--no-build', 'do not rebuild the policy bundle (policies/build) after updating the repository data')
    .action(async (name: string, opts: { role: string[]; team: string[]; data: string; keysDir?: string; build: boolean }) => {
      const dataFile = resolve(opts.data);
      let updated: unknown;
      try {
        updated = withAnalyst(JSON.parse(readFileSync(dataFile, 'utf8')), name, opts.role, opts.team);
      } catch (err) {
        fail(`analyst ${name} not added: ${(err as Error).message}`);
      }
      // The key first: an analyst in policy data without a key can do nothing, a key without policy data neither.
      const key = await addAnalystKey(opts.keysDir ?? defaultAnalystKeysDir(), name);
      writeFileSync(`${dataFile}.next`, `${JSON.stringify(updated, null, 2)}\n`);
      renameSync(`${dataFile}.next`, dataFile);
      process.stdout.write(`${key.analyst}: ${key.created ? 'new key' : 'existing key'} ${key.kid}\n  private key ${key.privateKeyFile} (keep it; never commit it)\n  public key in ${key.jwksFile}\n  policy data ${dataFile}\n`);
      const repoData = dataFile === fromRoot('policies', 'data.json');
      if (opts.build && repoData && existsSync(join(dirname(dataFile), 'build'))) process.stdout.write(`${await rebuildBundle(dataFile)}\n`);
    });
}
