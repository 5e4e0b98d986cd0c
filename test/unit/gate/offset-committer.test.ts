import type { Message } from 'kafkajs';
import type { CommitTarget, PartitionOffset } from '../../../gate/sources/offset-committer';
import { OffsetCommitter } from '../../../gate/sources/offset-committer';
import { createLogger } from '../../../lib/logger';

const log = createLogger('committer-test', 'silent');
const tick = () => new Promise((r) => setTimeout(r, 1));
const at = (partition: number, offset: number): PartitionOffset => ({ topic: 't', partition, offset: String(offset) });

/** A broker stand-in that records what was committed, in order, and can be slow or fail. */
class FakeBroker implements CommitTarget {
  readonly log: string[] = [];
  delayMs = 5;
  failNext = 0;
  active = 0;
  maxActive = 0;
  async commit(offsets: PartitionOffset[]): Promise<void> {
    await this.work(`commit ${offsets.map((o) => `${o.partition}@${o.offset}`).join(',')}`);
  }
  async commitWithDeadLetters(dl: Message[], offsets: PartitionOffset[]): Promise<void> {
    await this.work(`tx ${dl.length} ${offsets.map((o) => `${o.partition}@${o.offset}`).join(',')}`);
  }
  private async work(entry: string): Promise<void> {
    this.active += 1;
    this.maxActive = Math.max(this.maxActive, this.active);
    await new Promise((r) => setTimeout(r, this.delayMs));
    this.active -= 1;
    if (this.failNext > 0) {
      this.failNext -= 1;
      throw new Error('broker said no');
    }
    this.log.push(entry);
  }
}

describe('OffsetCommitter', () => {
  it('coalesces offsets handled while a commit is in flight into one commit of the latest per partition', async () => {
    const broker = new FakeBroker();
    const c = new OffsetCommitter(broker, log);
    c.handled(at(0, 10));
    await tick(); // 0@10 is now in flight
    c.handled(at(0, 20));
    c.handled(at(1, 5));
    c.handled(at(0, 15)); // older than what is pending: ignored
    c.handled(at(0, 30));
    await c.drain();
    expect(broker.log).toEqual(['commit 0@10', 'commit 0@30,1@5']);
    expect(c.waiting).toBe(0);
  });

  it('commits a batch with dead letters in its own transaction, after the commit in flight, never followed by an older offset', async () => {
    const broker = new FakeBroker();
    broker.delayMs = 20;
    const c = new OffsetCommitter(broker, log);
    c.handled(at(0, 10));
    await tick(); // 0@10 is now in flight
    c.handled(at(0, 20)); // pending, older than the transaction's offset
    const tx = c.handledWithDeadLetters([{ value: 'x' }], at(0, 25));
    await tick();
    c.handled(at(1, 7)); // another partition, handled while the transaction waits
    await tx;
    await c.drain();
    // 0@20 is committed before the transaction or not at all, never after it.
    const tIndex = broker.log.indexOf('tx 1 0@25');
    expect(tIndex).toBeGreaterThan(0);
    expect(broker.log.slice(tIndex + 1).some((e) => /0@/.test(e))).toBe(false);
    expect(broker.log[0]).toBe('commit 0@10');
    expect(broker.log.join(' ')).toContain('1@7');
  });

  it('runs one transaction at a time', async () => {
    const broker = new FakeBroker();
    const c = new OffsetCommitter(broker, log);
    await Promise.all([c.handledWithDeadLetters([{ value: 'a' }], at(0, 1)), c.handledWithDeadLetters([{ value: 'b' }, { value: 'c' }], at(1, 1))]);
    expect(broker.maxActive).toBe(1);
    expect(broker.log).toEqual(['tx 1 0@1', 'tx 2 1@1']);
  });

  it('keeps offsets whose commit failed and commits them again', async () => {
    const broker = new FakeBroker();
    broker.failNext = 2;
    const c = new OffsetCommitter(broker, log);
    c.handled(at(0, 10));
    await c.drain();
    expect(broker.log).toEqual(['commit 0@10']);
  });

  it('reports a failed transaction to the caller (the batch is then redelivered)', async () => {
    const broker = new FakeBroker();
    broker.failNext = 1;
    const c = new OffsetCommitter(broker, log);
    await expect(c.handledWithDeadLetters([{ value: 'x' }], at(0, 5))).rejects.toThrow('broker said no');
    await c.handledWithDeadLetters([{ value: 'x' }], at(0, 5));
    expect(broker.log).toEqual(['tx 1 0@5']);
  });

  it('holds each commit for the test delay (fault injection)', async () => {
    const broker = new FakeBroker();
    const c = new OffsetCommitter(broker, log, 60);
    const t0 = Date.now();
    c.handled(at(0, 1));
    await new Promise((r) => setTimeout(r, 20));
    expect(broker.log).toEqual([]);
    await c.drain();
    expect(Date.now() - t0).toBeGreaterThanOrEqual(55);
    expect(broker.log).toEqual(['commit 0@1']);
  });
});
