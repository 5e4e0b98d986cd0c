import { readFileSync } from 'node:fs';
import type { Client } from '@temporalio/client';
import type { Logger } from '../lib/logger';
import type { OpsServer } from '../lib/ops-server';
import { startOpsServer } from '../lib/ops-server';
import { checkButtonKey } from '../lib/trust/button-token';
import { issuerKeyFromPem } from '../lib/trust/decision-keys';
import { ChatUsersFile } from './chat-users';
import type { ApprovalsConfig } from './config';
import type { DecisionMinter, DecisionSender } from './decisions';
import { signingMinter, temporalDecisions } from './decisions';
import { NonceLedger } from './nonces';
import type { ApprovalsServer } from './server';
import { startApprovalsServer } from './server';

function readSecret(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new Error(`cannot read the ${what} ${path}: ${(err as Error).message}`);
  }
}

/** A click waits at most this long for the incident; past it the analyst is told to try again (nothing was decided). */
function bounded(sender: DecisionSender, ms: number): DecisionSender {
  return {
    send: (d) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no answer from incident ${d.incidentId} within ${ms} ms`)), ms);
        sender.send(d).then(resolve, reject).finally(() => clearTimeout(timer));
      }),
  };
}

export interface RunningApprovals {
  server: ApprovalsServer;
  ops: OpsServer;
  stop(): Promise<void>;
}

/** Assembles the service from its configuration: keys and secrets, the chat-user mapping, the HTTP face, the ops port. */
export async function runApprovals(config: ApprovalsConfig, deps: { log: Logger; client: Client; minter?: DecisionMinter }): Promise<RunningApprovals> {
  const { log } = deps;
  const buttonKey = checkButtonKey(readSecret(config.buttonKeyFile, 'button key'));
  const minter = deps.minter ?? signingMinter(deps.client, issuerKeyFromPem(readSecret(config.decisionKeyFile, 'decision signing key').toString('utf8')));
  const users = new ChatUsersFile(config.policyDir, log);
  const unwatch = users.watch();
  const clicks = { buttonKey, users, nonces: new NonceLedger(), decisions: bounded(temporalDecisions(deps.client, minter), config.decisionTimeoutMs), log };
  const slack = config.slackSigningSecretFile
    ? { signingSecret: readSecret(config.slackSigningSecretFile, 'Slack signing secret'), responseUrlPrefix: config.slackResponseUrlPrefix }
    : undefined;
  const tls = config.tlsCertFile && config.tlsKeyFile ? { cert: readSecret(config.tlsCertFile, 'TLS certificate'), key: readSecret(config.tlsKeyFile, 'TLS key') } : undefined;
  const server = await startApprovalsServer({ port: config.port, host: config.host, tls, clicks, mattermost: config.mattermost, slack, log });
  let draining = false;
  const ops = await startOpsServer({
    port: config.opsPort,
    host: config.opsHost,
    ready: () => !draining,
    info: () => ({ name: 'approvals', url: server.url, mattermost: config.mattermost, slack: Boolean(slack), https: Boolean(tls) }),
  });
  log.info({ url: server.url, opsPort: ops.port, mattermost: config.mattermost, slack: Boolean(slack), https: Boolean(tls) }, 'approvals service started');
  return {
    server,
    ops,
    async stop() {
      draining = true;
      unwatch();
      await server.close(config.shutdownGraceMs);
      await ops.close();
    },
  };
}
