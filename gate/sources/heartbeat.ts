import type { BatchContext } from './source';

/**
 * Keeping a source's lease while the gate waits. kafkajs sends a heartbeat only when its interval
 * has passed, so asking about once a second costs nothing, and a wait of any length (a full
 * pipeline, a Temporal call that blocks, a retry's backoff) never outlasts the group's session.
 */

/** Waits for `work` to settle, heartbeating about once a second meanwhile; never throws. */
export async function heartbeatUntil(work: Promise<unknown>, heartbeat: () => Promise<void>, everyMs = 1000): Promise<void> {
  const settled = work.then(
    () => true,
    () => true,
  );
  for (;;) {
    let timer: NodeJS.Timeout | undefined;
    const done = await Promise.race([settled, new Promise<false>((r) => (timer = setTimeout(() => r(false), everyMs)))]);
    clearTimeout(timer);
    if (done) return;
    await heartbeat().catch(() => undefined);
  }
}

/** `work`'s own result, with the lease kept while it runs. */
export async function withHeartbeat<T>(work: Promise<T>, context: BatchContext): Promise<T> {
  await heartbeatUntil(work, () => context.heartbeat());
  return work;
}

/** A retry's backoff: sleeps `ms`, heartbeating, and wakes early once the source is stopping. */
export async function sleepWithHeartbeat(ms: number, context: BatchContext): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until && context.isRunning()) {
    await new Promise((r) => setTimeout(r, Math.min(1000, until - Date.now())));
    await context.heartbeat().catch(() => undefined);
  }
}
