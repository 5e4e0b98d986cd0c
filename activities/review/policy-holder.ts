import { unwatchFile, watchFile } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../../lib/logger';
import type { PolicySource } from './index';
import type { PolicyBundle } from './policy-bundle';
import { loadPolicyBundle } from './policy-bundle';

/**
 * Holds the current policy bundle and swaps it when the bundle directory changes (a mounted
 * ConfigMap in Kubernetes). Evaluations in flight keep the bundle they started with; a bundle
 * that fails to load leaves the previous one in force.
 */
export class PolicyHolder implements PolicySource {
  private bundle: PolicyBundle | null = null;
  private watching = false;

  constructor(
    private readonly dir: string,
    private readonly log: Logger,
  ) {}

  current(): PolicyBundle | null {
    return this.bundle;
  }

  async reload(): Promise<boolean> {
    try {
      const next = await loadPolicyBundle(this.dir);
      if (next.version !== this.bundle?.version) this.log.info({ policyVersion: next.version, previous: this.bundle?.version ?? null }, 'policy bundle loaded');
      this.bundle = next;
      return true;
    } catch (err) {
      this.log.error({ err, dir: this.dir, keeping: this.bundle?.version ?? null }, 'policy bundle failed to load');
      return false;
    }
  }

  /** Polls the manifest (written last by the build), which works on ConfigMap symlink swaps too. */
  watch(intervalMs = 1000): void {
    if (this.watching) return;
    this.watching = true;
    // unref: watching must never keep a draining worker alive.
    watchFile(join(this.dir, 'manifest.json'), { interval: intervalMs }, () => {
      void this.reload();
    }).unref();
  }

  close(): void {
    if (this.watching) unwatchFile(join(this.dir, 'manifest.json'));
    this.watching = false;
  }
}
