import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { fromRoot } from './paths';

/** A tool named by an env var wins, then the project's .tools/bin, then PATH; else a clear error. */
export function toolPath(name: string, envVar: string, env: NodeJS.ProcessEnv = process.env): string {
  const named = env[envVar];
  if (named) return named;
  const local = fromRoot('.tools', 'bin', name);
  if (existsSync(local)) return local;
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (dir && existsSync(join(dir, name))) return join(dir, name);
  }
  throw new Error(`${name} not found: run \`bash scripts/setup.sh\` or set ${envVar}`);
}
