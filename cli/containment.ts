import type { Client } from '@temporalio/client';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import type { Command } from 'commander';
import type { Containment, ContainmentRequestInput } from '../contracts';
import { defaultAnalystKeysDir } from '../lib/trust/decision-keys';
import { confirmContainmentUpdate, revertContainmentUpdate } from '../workflows/definitions';
import { signedDecision } from './decide';

export type ContainmentOutcome = { accepted: true; containment: Containment } | { accepted: false; reason: string };

/** Asks the incident to undo (`revert`) or keep (`confirm`) its containment; policy decides who may. */
export async function requestContainment(client: Client, incidentId: string, kind: 'revert' | 'confirm', request: ContainmentRequestInput): Promise<ContainmentOutcome> {
  const handle = client.workflow.getHandle(incidentId);
  try {
    const containment = await handle.executeUpdate(kind === 'revert' ? revertContainmentUpdate : confirmContainmentUpdate, { args: [request] });
    return { accepted: true, containment };
  } catch (err) {
    if (err instanceof WorkflowUpdateFailedError) return { accepted: false, reason: (err.cause as { message?: string } | undefined)?.message ?? err.message };
    throw err;
  }
}

export function formatContainment(c: Containment): string {
  const lines = [`containment ${c.state}${c.settledBy ? ` by ${c.settledBy}` : ''}${c.reason ? ` ("${c.reason}")` : ''}`];
  for (const r of c.reverts) lines.push(`  ${r.outcome.padEnd(17)}${r.verb} ${r.ref.kind} ${r.ref.namespace ? `${r.ref.namespace}/` : ''}${r.ref.name}  ${r.message}`);
  return lines.join('\n');
}

export function registerContainmentCommands(program: Command, client: () => Promise<Client>): void {
  const describe = { revert: "undo the incident's containment (reverse order; what changed since is reported, not forced)", confirm: 'keep the containment: its policy time-to-live no longer releases it' };
  for (const kind of ['revert', 'confirm'] as const) {
    program
      .command(`${kind} <incident>`)
      .description(describe[kind])
      .requiredOption('--analyst <name>', "who asks: signs with this analyst's development key (checked against policy)")
      .option('--reason <text>', 'why', '')
      .option('--ttl <seconds>', 'how long the signed request stays valid', (v) => Number.parseInt(v, 10), 600)
      .option('--keys-dir <dir>', 'development keys (default $VIGIL_ANALYST_KEYS_DIR or .data/analysts)')
      .action(async (incident: string, opts: { analyst: string; reason: string; ttl: number; keysDir?: string }) => {
        // Revert answers the verdict with a reject, confirm with an approve: the same signed decision an escalation takes.
        const decision = kind === 'revert' ? 'reject' : 'approve';
        let signed;
        try {
          signed = await signedDecision(client, { incidentId: incident, analyst: opts.analyst, decision, reason: opts.reason, ttlSeconds: opts.ttl, keysDir: opts.keysDir ?? defaultAnalystKeysDir() });
        } catch (err) {
          process.stderr.write(`cannot sign the ${kind} request: ${(err as Error).message}\n`);
          process.exitCode = 1;
          return;
        }
        const out = await requestContainment(await client(), incident, kind, { analyst: opts.analyst, reason: opts.reason, token: signed.token });
        if (!out.accepted) {
          process.stderr.write(`refused: ${out.reason}\n`);
          process.exitCode = 1;
          return;
        }
        process.stdout.write(`${formatContainment(out.containment)}\n`);
      });
  }
}
