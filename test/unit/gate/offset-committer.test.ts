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

  it('writes dead letters in one transaction with the offsets handled so far, after the commit in flight, never followed by an older offset', async () => {
    const broker = new FakeBroker();
    broker.delayMs = 20;
    const c = new OffsetCommitter(broker, log);
    c.handled(at(0, 10));
    await tick(); // 0@10 is now in flight
    c.handled(at(0, 20)); // pending, older than the dead letters' batch
    c.handled(at(0, 25), [{ value: 'x' }]);
    c.handled(at(1, 7)); // another partition, handled while the commit is in flight
    await c.drain();
    expect(broker.log).toEqual(['commit 0@10', 'tx 1 0@25,1@7']);
  });

  it('does not make the next batch wait for a transaction, and coalesces the dead letters handled meanwhile', async () => {
    const broker = new FakeBroker();
    broker.delayMs = 20;
    const c = new OffsetCommitter(broker, log);
    c.handled(at(0, 1), [{ value: 'a' }]); // returns at once; its transaction is in flight
    await tick();
    expect(broker.active).toBe(1);
    c.handled(at(1, 1), [{ value: 'b' }, { value: 'c' }]);
    c.handled(at(0, 2));
    await c.drain();
    expect(broker.maxActive).toBe(1);
    expect(broker.log).toEqual(['tx 1 0@1', 'tx 2 1@1,0@2']);
  });

  it('keeps offsets whose commit failed and commits them again', async () => {
    const broker = new FakeBroker();
    broker.failNext = 2;
    const c = new OffsetCommitter(broker, log);
    c.handled(at(0, 10));
    await c.drain();
    expect(broker.log).toEqual(['commit 0@10']);
  });

  it('reports a failed transaction and commits nothing after it (the batches are redelivered)', async () => {
    const broker = new FakeBroker();
    broker.failNext = 1;
    const failures: unknown[] = [];
    const c = new OffsetCommitter(broker, log, { onFailure: (err) => failures.push(err) });
    c.handled(at(0, 5), [{ value: 'x' }]);
    await c.drain();
    expect(failures).toEqual([expect.objectContaining({ message: 'broker said no' })]);
    c.handled(at(0, 9)); // would cover the dead letter that was never written
    await c.drain();
    expect(broker.log).toEqual([]);
  });

  it('holds each commit for the test delay (fault injection)', async () => {
    const broker = new FakeBroker();
    const c = new OffsetCommitter(broker, log, { delayMs: 60 });
    const t0 = Date.now();
    c.handled(at(0, 1));
    await new Promise((r) => setTimeout(r, 20));
    expect(broker.log).toEqual([]);
    await c.drain();
    expect(Date.now() - t0).toBeGreaterThanOrEqual(55);
    expect(broker.log).toEqual(['commit 0@1']);
  });
});
