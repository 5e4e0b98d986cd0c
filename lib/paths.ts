import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** The repo (or image) root: the nearest folder above this file holding package.json. Same from ts and dist. */
export function repoRoot(): string {
  let dir = __dirname;
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error(`no package.json above ${__dirname}`);
    dir = up;
  }
  return dir;
}

export function fromRoot(...parts: string[]): string {
  return resolve(repoRoot(), ...parts);
}
