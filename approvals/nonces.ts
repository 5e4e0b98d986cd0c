/**
 * One-time button nonces. A click reserves its nonce while the decision is in flight (a concurrent
 * replay is refused), an accepted decision spends it for good, a refused one (say, an analyst without
 * the role) releases it so the right analyst can still click. Entries live until the token's own
 * expiry; the store is bounded, and when full it refuses rather than forget (fail closed).
 *
 * In memory, per replica: replicas share nothing, and behind them the workflow accepts one decision
 * per incident anyway, so a replay on another replica is refused there ("already decided").
 */
export class NonceLedger {
  private readonly entries = new Map<string, { state: 'pending' | 'spent'; exp: number }>();

  constructor(private readonly capacity = 100_000) {}

  /** Null when reserved for this click; otherwise why not. */
  reserve(nonce: string, exp: number, nowSeconds: number): string | null {
    this.prune(nowSeconds);
    const seen = this.entries.get(nonce);
    if (seen?.state === 'spent') return 'this button was already used';
    if (seen?.state === 'pending') return 'this button is being processed';
    if (this.entries.size >= this.capacity) return 'too many live buttons to track; try again later';
    this.entries.set(nonce, { state: 'pending', exp });
    return null;
  }

  spend(nonce: string): void {
    const e = this.entries.get(nonce);
    if (e) e.state = 'spent';
  }

  release(nonce: string): void {
    if (this.entries.get(nonce)?.state === 'pending') this.entries.delete(nonce);
  }

  get size(): number {
    return this.entries.size;
  }

  private prune(nowSeconds: number): void {
    for (const [nonce, e] of this.entries) if (e.exp <= nowSeconds) this.entries.delete(nonce);
  }
}
