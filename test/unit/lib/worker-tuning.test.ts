import { workerTuning } from '../../../lib/worker-tuning';

describe('workerTuning', () => {
  it('bounds the coordinator cache by default and leaves the agents on the SDK defaults', () => {
    expect(workerTuning('coordinator', {})).toEqual({ maxCachedWorkflows: 80 });
    expect(workerTuning('analysis', {})).toEqual({});
  });

  it('takes overrides from VIGIL_WORKER_OPTIONS over the defaults', () => {
    const env = { VIGIL_WORKER_OPTIONS: '{"maxCachedWorkflows":40,"maxConcurrentActivityTaskPolls":2}' };
    expect(workerTuning('coordinator', env)).toEqual({ maxCachedWorkflows: 40, maxConcurrentActivityTaskPolls: 2 });
  });

  it('refuses what it does not know, with the reason', () => {
    expect(() => workerTuning('review', { VIGIL_WORKER_OPTIONS: 'poll faster' })).toThrow(/VIGIL_WORKER_OPTIONS is not JSON/);
    expect(() => workerTuning('review', { VIGIL_WORKER_OPTIONS: '{"activities":{}}' })).toThrow(/VIGIL_WORKER_OPTIONS: .*activities/);
    expect(() => workerTuning('review', { VIGIL_WORKER_OPTIONS: '{"maxCachedWorkflows":-1}' })).toThrow(/maxCachedWorkflows/);
  });
});
