import type { Client } from '@temporalio/client';
import type { IncidentState } from '../../../contracts';
import { PENDING_QUERY, pendingIncidents } from '../../../cli/pending';

/** A client whose list yields `ids` and whose state queries resolve in reverse order of asking, counting how many are in flight. */
function fakeClient(ids: string[], fail?: string) {
  const seen = { inFlight: 0, maxInFlight: 0, queries: 0, listQuery: '' };
  const workflow = {
    async *list({ query }: { query: string }) {
      seen.listQuery = query;
      for (const workflowId of ids) yield { workflowId };
    },
    getHandle: (id: string) => ({
      query: async () => {
        seen.queries += 1;
        seen.inFlight += 1;
        seen.maxInFlight = Math.max(seen.maxInFlight, seen.inFlight);
        // Later ids answer sooner, so an implementation that keeps arrival order would be caught.
        await new Promise((r) => setTimeout(r, ids.length - ids.indexOf(id)));
        seen.inFlight -= 1;
        if (id === fail) throw new Error('workflow not found');
        return { incidentId: id } as IncidentState;
      },
    }),
  };
  return { client: { workflow } as unknown as Pick<Client, 'workflow'>, seen };
}

describe('vigil pending: the waiting incidents', () => {
  it('lists from visibility and queries each state, a bounded number at a time, in visibility order', async () => {
    const ids = Array.from({ length: 40 }, (_, i) => `incident-${i}`);
    const { client, seen } = fakeClient(ids);
    const states = await pendingIncidents(client, 6);
    expect(seen.listQuery).toBe(PENDING_QUERY);
    expect(states.map((s) => s.incidentId)).toEqual(ids);
    expect(seen.maxInFlight).toBe(6);
  });

  it('fails the whole listing, naming the incident, when one state cannot be read', async () => {
    const ids = Array.from({ length: 20 }, (_, i) => `incident-${i}`);
    const { client, seen } = fakeClient(ids, 'incident-3');
    await expect(pendingIncidents(client, 4)).rejects.toThrow(/state of incident-3 could not be read: workflow not found/);
    expect(seen.queries).toBeLessThan(ids.length);
  });

  it('returns nothing, and queries nothing, when nothing waits', async () => {
    const { client, seen } = fakeClient([]);
    await expect(pendingIncidents(client)).resolves.toEqual([]);
    expect(seen.queries).toBe(0);
  });
});
