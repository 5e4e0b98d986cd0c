import type { FalcoAlert } from '../../contracts';

/** An outside peer (TEST-NET-3, never routed) and the pod-side end of the connection. */
const PEER = { ip: '203.0.113.50', port: 4242 };
const CONNECTION = `10.244.0.7:40122->${PEER.ip}:${PEER.port}`;

/**
 * The same shell alert, with the shell talking to an outside address: the policy's reverse-shell
 * evidence, so the evidence-weighted review may contain it unattended (a lone shell is only
 * notified). For the dev stack's drivers that need an incident that auto-executes: the bench,
 * the integration tests, their fixtures.
 */
export function withReverseShell(alert: FalcoAlert): FalcoAlert {
  return {
    ...alert,
    output: `${alert.output} connection=${CONNECTION}`,
    tags: [...new Set([...(alert.tags ?? []), 'network', 'mitre_execution', 'T1059'])],
    output_fields: { ...alert.output_fields, 'fd.name': CONNECTION, 'fd.rip': PEER.ip, 'fd.rport': PEER.port },
  };
}
