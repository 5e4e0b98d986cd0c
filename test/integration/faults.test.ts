import { formatTable, runFaults } from '../../bench/faults';
import { SCENARIOS } from '../../bench/faults/scenarios';

/**
 * The fault suite's short version (bench/faults.ts with a small stream per scenario): every
 * scenario on the real stack, counted from ground truth. Counts only: zero lost, zero duplicated,
 * every notice delivered, every poison message dead-lettered; never how long anything took.
 */
describe('faults under load (short version of bench/faults.ts)', () => {
  it('loses nothing, duplicates nothing and delivers every notice under each fault', async () => {
    const rows = await runFaults(
      SCENARIOS.map((s) => s.name),
      { alerts: 12, rate: 3, faultSeconds: 10, settleSeconds: 150 },
    );
    console.log(formatTable(rows));
    const counted = rows.map((r) => ({
      scenario: r.scenario,
      opened: r.opened,
      completed: r.completed,
      lost: r.lost,
      duplicates: r.duplicates,
      anomalies: r.anomalies,
      notificationsLost: r.notificationsLost,
      poisonDeadLettered: r.poisonDeadLettered,
    }));
    expect(counted).toEqual(
      rows.map((r) => ({
        scenario: r.scenario,
        opened: r.alertsSent,
        completed: r.alertsSent,
        lost: 0,
        duplicates: 0,
        anomalies: r.alertsSent,
        notificationsLost: 0,
        poisonDeadLettered: r.poisonSent,
      })),
    );
    expect(rows.every((r) => r.alertsSent === 12)).toBe(true);
  }, 900_000);
});
