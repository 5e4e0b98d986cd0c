import { readFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import type { Client } from '@temporalio/client';
import type { IncidentState } from '../contracts';
import { quorumProgress } from '../contracts';
import { fromRoot } from '../lib/paths';
import { connectClient } from '../lib/temporal-client';
import { temporalConfigFromEnv } from '../lib/temporal-config';
import { stateQuery } from '../workflows/definitions';
import { registerAuditCommand } from './audit';
import { defaultAnalystKeysDir } from '../lib/trust/decision-keys';
import { registerAnalystCommands } from './analyst';
import { registerContainmentCommands } from './containment';
import { falsePositiveSuppression, sendDecision, signedDecision } from './decide';
import { runDemo } from './demo';
import { pendingIncidents } from './pending';
import { formatIncident } from './format';
import { registerGate } from './gate';
import { registerTrain } from './train';
import { registerPolicyCommands } from './policy';
import { expiryFrom, registerSuppressCommands } from './suppress';

const program = new Command('vigil').description('Vigil: policy-gated security response on Temporal');
program
  .addOption(new Option('--address <host:port>', 'Temporal frontend').env('TEMPORAL_ADDRESS'))
  .addOption(new Option('--namespace <ns>', 'Temporal namespace').env('TEMPORAL_NAMESPACE'));

async function client(): Promise<Client> {
  const opts = program.opts<{ address?: string; namespace?: string }>();
  return connectClient(temporalConfigFromEnv({ ...process.env, TEMPORAL_ADDRESS: opts.address, TEMPORAL_NAMESPACE: opts.namespace }));
}

function fail(message: string, code = 1): never {
  process.stderr.write(`vigil: ${message}\n`);
  process.exit(code);
}

program
  .command('pending')
  .description('escalated incidents awaiting an analyst decision')
  .option('--json', 'print JSON')
  .action(async (opts: { json?: boolean }) => {
    const rows = await pendingIncidents(await client());
    if (opts.json) {
      process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
      return;
    }
    if (rows.length === 0) process.stdout.write('no incidents awaiting a decision\n');
    for (const s of rows) {
      process.stdout.write(
        `${s.incidentId}  [${s.severity}] ${s.anomaly.alert.rule} on ${s.assetLabel}; needs ${s.verdict?.escalation?.requiredRole ?? 'analyst'} by ${s.escalationDeadline ?? '?'}${s.quorum ? `; ${quorumProgress(s.quorum)}` : ''}\n`,
      );
    }
  });

program
  .command('show <incident>')
  .description('the full state of one incident')
  .option('--json', 'print JSON')
  .action(async (incident: string, opts: { json?: boolean }) => {
    const state = await (await client()).workflow.getHandle(incident).query(stateQuery);
    process.stdout.write(opts.json ? `${JSON.stringify(state, null, 2)}\n` : `${formatIncident(state)}\n`);
  });

for (const decision of ['approve', 'reject'] as const) {
  const command = program
    .command(`${decision} <incident>`)
    .description(`${decision} an escalated incident with a decision signed by the analyst's key (refused with the reason if not allowed)`)
    .requiredOption('--analyst <name>', "who decides: signs with this analyst's development key (checked against policy)")
    .option('--reason <text>', 'why', '')
    .option('--print', 'print the signed decision JSON instead of sending it (for `temporal workflow signal --input` or the UI)')
    .option('--ttl <seconds>', 'how long the signed decision stays valid', (v) => Number.parseInt(v, 10), 600)
    .option('--verdict <digest>', 'the verdict answered (its input digest); read from the incident when omitted')
    .option('--keys-dir <dir>', 'development keys (default $VIGIL_ANALYST_KEYS_DIR or .data/analysts)');
  if (decision === 'reject') {
    command
      .option('--false-positive', 'also print the suppression this proposes (policy data format), for `vigil suppress add` or a reviewed change to policies/data.json')
      .option('--expires <when>', 'with --false-positive: RFC 3339 time, date or duration (30d, 12h)', '30d');
  }
  command.action(
    async (incident: string, opts: { analyst: string; reason: string; print?: boolean; ttl: number; verdict?: string; keysDir?: string; falsePositive?: boolean; expires?: string }) => {
      let signed;
      try {
        signed = await signedDecision(client, {
          incidentId: incident,
          analyst: opts.analyst,
          decision,
          reason: opts.reason,
          ttlSeconds: opts.ttl,
          keysDir: opts.keysDir ?? defaultAnalystKeysDir(),
          verdictDigest: opts.verdict,
        });
      } catch (err) {
        fail(`cannot sign the decision: ${(err as Error).message}`);
      }
      if (opts.print) return void process.stdout.write(`${JSON.stringify(signed)}\n`);
      const c = await client();
      const outcome = await sendDecision(c, incident, signed);
      if (!outcome.accepted) fail(`refused: ${outcome.reason}`, 2);
      process.stdout.write(`${incident}: ${decision} accepted from ${outcome.result.analyst}\n`);
      if (opts.falsePositive) {
        const s = await falsePositiveSuppression(c, incident, { author: outcome.result.analyst, reason: opts.reason, expires: expiryFrom(opts.expires ?? '30d') });
        process.stdout.write(`proposed suppression (add it to data.vigil.suppressions through review, or with vigil suppress add):\n${JSON.stringify(s, null, 2)}\n`);
      }
    },
  );
}

registerAuditCommand(program, client);
registerContainmentCommands(program, client);
registerAnalystCommands(program, fail);
registerPolicyCommands(program, fail);
registerSuppressCommands(program, fail);

program
  .command('demo')
  .description('the embedded default: dev server, five workers, sample alerts through the gate; anomalies open incidents')
  .option('--alerts <file>', 'JSONL of Falco alerts to replay through the gate (default examples/gate-replay.jsonl)', '')
  .option('--kafka', 'go through Kafka: local broker (scripts/kafka.sh) or KAFKA_BROKERS, and the gate as its own process')
  .option('--no-ui', 'run the dev server headless')
  .option('--exit-when-done', 'stop everything once every incident is closed or waiting')
  .option('--no-kube', 'no Kubernetes API server (remediation plans in dry-run mode only); default: the local one (scripts/kube.sh) or KUBECONFIG')
  .option('--dry-run', 'remediation plans against the cluster (server-side dry run) and writes nothing; default: it acts on the demo cluster')
  .action(async (opts: { alerts: string; ui: boolean; exitWhenDone?: boolean; kafka?: boolean; kube: boolean; dryRun?: boolean }) => {
    await runDemo({ alertsFile: opts.alerts || undefined, ui: opts.ui, exitWhenDone: opts.exitWhenDone ?? false, kafka: opts.kafka ?? false, kube: opts.kube, dryRun: opts.dryRun ?? false });
  });

registerTrain(program);
registerGate(program, () => {
  const opts = program.opts<{ address?: string; namespace?: string }>();
  return temporalConfigFromEnv({ ...process.env, TEMPORAL_ADDRESS: opts.address, TEMPORAL_NAMESPACE: opts.namespace });
});

program
  .command('version')
  .description('print the version')
  .action(() => {
    const pkg = JSON.parse(readFileSync(fromRoot('package.json'), 'utf8')) as { version: string };
    process.stdout.write(`${pkg.version}\n`);
  });

program.parseAsync().catch((err: unknown) => fail(err instanceof Error ? err.message : String(err)));
