import { keepSettling, pace, SETTLE_STALL_MS } from '../../../bench/faults/count';

const base = { deadline: 100_000, hardDeadline: 200_000, expected: 10 };

describe('keepSettling', () => {
  it('stops as soon as every incident is closed', () => {
    expect(keepSettling({ ...base, now: 5_000, closed: 10, lastProgressAt: 5_000 })).toBe(false);
  });

  it('waits up to the deadline whether or not incidents are closing', () => {
    expect(keepSettling({ ...base, now: 99_000, closed: 0, lastProgressAt: 0 })).toBe(true);
  });

  it('waits past the deadline while a backlog keeps closing', () => {
    expect(keepSettling({ ...base, now: 150_000, closed: 7, lastProgressAt: 150_000 - SETTLE_STALL_MS + 1 })).toBe(true);
  });

  it('counts what is open as lost once closing stops past the deadline', () => {
    expect(keepSettling({ ...base, now: 150_000, closed: 7, lastProgressAt: 150_000 - SETTLE_STALL_MS })).toBe(false);
  });

  it('never waits past the hard deadline, closing or not', () => {
    expect(keepSettling({ ...base, now: 200_001, closed: 9, lastProgressAt: 200_001 })).toBe(false);
  });
});

describe('pace', () => {
  const ids = new Set(['a', 'b', 'c', 'd']);
  const closed = (id: string, at: number) => ({ workflowId: id, status: 'COMPLETED', closeTime: new Date(at) });

  it('gives the close rate during the stream and how long after it the last closed', () => {
    const executions = [closed('a', 2_000), closed('b', 5_000), closed('c', 14_000), closed('d', 40_000), closed('stranger', 6_000), { workflowId: 'e', status: 'RUNNING' }];
    expect(pace(executions, ids, 0, 10_000)).toBe('closed 0.20/s while the stream ran; last closed 30 s after it ended');
  });

  it('says nothing when nothing closed', () => {
    expect(pace([{ workflowId: 'a', status: 'RUNNING' }], ids, 0, 10_000)).toBeNull();
  });
});
