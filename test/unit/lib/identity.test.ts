import { alertFingerprint, incidentIdFor, traceIdFor } from '../../../lib/identity';
import { exampleAlerts } from '../../helpers/fixtures';

describe('identity', () => {
  const [alert] = exampleAlerts();

  it("ignores falcosidekick's regenerated uuid and key order", () => {
    const reordered = Object.fromEntries(Object.entries(alert!).reverse()) as typeof alert;
    expect(alertFingerprint({ ...alert!, uuid: 'a' })).toBe(alertFingerprint({ ...reordered!, uuid: 'b' }));
    expect(alertFingerprint({ ...alert!, time: '2020-01-01T00:00:00Z' })).not.toBe(alertFingerprint(alert!));
  });

  it('derives a stable, readable workflow id from the correlation key', () => {
    expect(incidentIdFor({ alert: alert!, correlationKey: 'k' })).toBe(incidentIdFor({ alert: alert!, correlationKey: 'k' }));
    expect(incidentIdFor({ alert: alert!, correlationKey: 'k' })).toMatch(/^incident-[a-z0-9.-]+-[0-9a-f]{24}$/);
    expect(incidentIdFor({ alert: alert!, correlationKey: 'k' })).not.toBe(incidentIdFor({ alert: alert!, correlationKey: 'k2' }));
  });

  it('keeps a trace id the alert carries, else makes a W3C one', () => {
    const carried = '0af7651916cd43dd8448eb211c80319c';
    expect(traceIdFor({ ...alert!, output_fields: { ...alert!.output_fields, trace_id: carried } })).toBe(carried);
    expect(traceIdFor(alert!)).toMatch(/^[0-9a-f]{32}$/);
  });
});
