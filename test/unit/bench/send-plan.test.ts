import { sendPlan } from '../../../bench/faults/scenarios';

/** The fault stream's pacing: the rate each plan sends is the rate asked for, slow rates included. */
describe('the fault stream sends at the rate asked for', () => {
  const sent = (rate: number) => {
    const { tickMs, perTick } = sendPlan(rate);
    return (perTick * 1000) / tickMs;
  };

  it.each([0.5, 1, 2, 3, 5, 10, 25])('%s alerts/s', (rate) => {
    expect(sent(rate)).toBeCloseTo(rate, 1);
    expect(sendPlan(rate).perTick).toBeGreaterThanOrEqual(1);
  });

  it('refuses a rate that is not a positive number', () => {
    for (const bad of [0, -1, Number.NaN]) expect(() => sendPlan(bad)).toThrow('the send rate must be positive');
  });
});
