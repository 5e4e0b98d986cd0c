import { BoundedMap } from './features/bounded-map';

export interface ActivityWindowOptions {
  /** A window closes after this long without an anomaly on its workload. */
  idleMs: number;
  /** A window never spans more than this, however steadily anomalies keep coming. */
  maxMs: number;
  /** Workloads remembered; the least recently anomalous are forgotten. */
  maxKeys: number;
}

interface Window {
  start: number;
  last: number;
}

/**
 * Where each workload's current incident window started: anomalies of one workload join one
 * incident while they keep coming (each extends the window by `idleMs`), up to `maxMs`. A new
 * window starts on the `idleMs` grid, so a gate that restarted (and forgot its windows) and sees
 * a redelivered anomaly soon after still names the window the first gate named, in the common
 * case; when it does not, the workflow side links the two incidents.
 */
export class ActivityWindows {
  private readonly windows: BoundedMap<string, Window>;

  constructor(private readonly options: ActivityWindowOptions) {
    if (!(options.idleMs > 0) || !(options.maxMs >= options.idleMs)) throw new Error(`correlation windows need 0 < idle (${options.idleMs}) <= max (${options.maxMs})`);
    this.windows = new BoundedMap(options.maxKeys);
  }

  get size(): number {
    return this.windows.size;
  }

  /** The start of the window an anomaly of `workload` at `atMs` belongs to; opens one if needed. */
  windowFor(workload: string, atMs: number): number {
    const { idleMs, maxMs } = this.options;
    const grid = Math.floor(atMs / idleMs) * idleMs;
    const w = this.windows.get(workload);
    if (w === undefined) {
      this.windows.set(workload, { start: grid, last: atMs });
      return grid;
    }
    if (atMs < w.start) {
      // Late (another partition, a redelivery): it belongs to the window if close enough, else to
      // a window of its own time, without disturbing the current one.
      return w.start - atMs <= idleMs ? w.start : grid;
    }
    if (atMs - w.last > idleMs || atMs - w.start > maxMs) {
      w.start = Math.max(grid, w.last + 1);
      w.last = atMs;
      return w.start;
    }
    w.last = Math.max(w.last, atMs);
    return w.start;
  }
}
