import { heartbeatUntil, withHeartbeat } from '../../../gate/sources/heartbeat';

const later = <T>(ms: number, value: T, fail = false) => new Promise<T>((resolve, reject) => setTimeout(() => (fail ? reject(new Error('refused')) : resolve(value)), ms));

describe('keeping the source lease while the gate waits', () => {
  it('heartbeats while the work is pending and stops once it settles', async () => {
    let beats = 0;
    await heartbeatUntil(later(120, 'x'), async () => void (beats += 1), 20);
    expect(beats).toBeGreaterThanOrEqual(3);
    const after = beats;
    await new Promise((r) => setTimeout(r, 60));
    expect(beats).toBe(after);
  });

  it('does not heartbeat for work that is already done', async () => {
    let beats = 0;
    await heartbeatUntil(Promise.resolve(1), async () => void (beats += 1), 20);
    expect(beats).toBe(0);
  });

  it('survives a failing heartbeat and a rejected work item; withHeartbeat hands back the result or the error', async () => {
    await expect(heartbeatUntil(later(60, 0, true), async () => Promise.reject(new Error('broker gone')), 10)).resolves.toBeUndefined();
    const context = { heartbeat: async () => undefined, isRunning: () => true };
    await expect(withHeartbeat(later(10, 'opened'), context)).resolves.toBe('opened');
    await expect(withHeartbeat(later(10, '', true), context)).rejects.toThrow('refused');
  });
});
