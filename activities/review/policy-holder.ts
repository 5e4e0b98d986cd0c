import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../../lib/logger';
import type { PolicySource } from './index';
import { showBundle } from './metrics';
import type { EvaluationLimits, PolicyBundle } from './policy-bundle';
import { loadPolicyBundle } from './policy-bundle';

/**
 * Holds the current policy bundle and swaps it when the bundle directory changes (a mounted
 * ConfigMap in Kubernetes). Evaluations in flight finish on the bundle they started with, which is
 * then retired; a bundle that fails to load or check leaves the previous one in force.
 */
export class PolicyHolder implements PolicySource {
  private bundle: PolicyBundle | null = null;
  private timer: NodeJS.Timeout | null = null;
  private loading: Promise<boolean> | null = null;
  private again = false;

  constructor(
    private readonly dir: string,
    private readonly log: Logger,
    private readonly limits: Partial<EvaluationLimits> = {},
  ) {}

  current(): PolicyBundle | null {
    return this.bundle;
  }

  /** Loads the directory again; reloads asked for while one runs are folded into one more. */
  reload(): Promise<boolean> {
    if (this.loading) {
      this.again = true;
      return this.loading;
    }
    this.loading = this.load().finally(() => {
      this.loading = null;
      if (this.again) {
        this.again = false;
        void this.reload();
      }
    });
    return this.loading;
  }

  private async load(): Promise<boolean> {
    try {
      const next = await loadPolicyBundle(this.dir, this.limits);
      const previous = this.bundle;
      if (previous && next.version === previous.version) {
        next.retire();
        return true;
      }
      this.bundle = next;
      previous?.retire();
      showBundle(next.version);
      this.log.info({ policyVersion: next.version, previous: previous?.version ?? null }, 'policy bundle loaded');
      return true;
    } catch (err) {
      this.log.error({ err, dir: this.dir, keeping: this.bundle?.version ?? null }, 'policy bundle failed to load');
      return false;
    }
  }

  /**
   * Polls the manifest's version (the build writes it last; a ConfigMap swap changes it with the
   * rest) and reloads when it names a bundle other than the one in force. Reading the version,
   * rather than watching file stats, cannot miss a swap that lands while watching starts, and
   * does not retry a version that already failed to load until a different one appears.
   */
  watch(intervalMs = 1000): void {
    if (this.timer) return;
    let failed: string | null = null;
    const check = async () => {
      let version: unknown;
      try {
        version = (JSON.parse(await readFile(join(this.dir, 'manifest.json'), 'utf8')) as { version?: unknown }).version;
      } catch {
        return; // mid-swap or missing: the next poll sees it whole, or reload reports it
      }
      if (typeof version !== 'string' || version === this.bundle?.version || version === failed) return;
      failed = (await this.reload()) ? null : version;
    };
    // unref: watching must never keep a draining worker alive.
    this.timer = setInterval(() => void check(), intervalMs);
    this.timer.unref();
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.bundle?.retire();
  }
}
