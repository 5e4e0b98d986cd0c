import { readFileSync } from 'node:fs';
import type { KubeObject } from './model-validation.mjs';
import { checkManifests, parseManifests } from './manifest-check.mjs';

/**
 * Validates rendered manifests (`helm template` output) offline:
 *   node dist/scripts/chart/check-manifests.mjs [--crd crd.yaml]... [manifest.yaml ...|-]
 * Prints one JSON report on stdout and each invalid object on stderr; exits 1 when any object is
 * invalid, 2 on unreadable input.
 */
async function main(argv: string[]): Promise<number> {
  const crdFiles: string[] = [];
  const inputs: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--crd') crdFiles.push(argv[++i] ?? '');
    else inputs.push(argv[i] ?? '');
  }
  if (inputs.length === 0) inputs.push('-');
  let objects: KubeObject[];
  let extraCrds: KubeObject[];
  try {
    objects = inputs.flatMap((f) => parseManifests(readFileSync(f === '-' ? 0 : f, 'utf8'), f === '-' ? 'stdin' : f));
    extraCrds = crdFiles.flatMap((f) => parseManifests(readFileSync(f, 'utf8'), f));
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    return 2;
  }
  const report = await checkManifests(objects, extraCrds);
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  for (const r of report.invalid) process.stderr.write(`${r.kind} ${r.name}: ${r.problems.join('; ')}\n`);
  return report.invalid.length > 0 ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`${String(err)}\n`);
    process.exitCode = 2;
  },
);
