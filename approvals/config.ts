import { z } from 'zod';
import { fromRoot } from '../lib/paths';
import { formatIssues } from '../contracts';

const port = z.coerce.number().int().min(0).max(65535);

/** The approvals service's whole configuration, parsed once in main. */
export const ApprovalsConfigSchema = z
  .object({
    port: port.default(8080),
    host: z.string().min(1).default('0.0.0.0'),
    opsPort: port.default(9464),
    opsHost: z.string().min(1).default('0.0.0.0'),
    shutdownGraceMs: z.coerce.number().int().min(0).default(20_000),
    /** The HMAC key the notification agent mints button tokens with (at least 32 bytes). */
    buttonKeyFile: z.string().min(1, 'VIGIL_APPROVALS_BUTTON_KEY_FILE is required: without it no button can be checked'),
    /** The Ed25519 key the service signs decisions with (PKCS#8 PEM); the review agent trusts its public half. */
    decisionKeyFile: z.string().min(1, 'VIGIL_APPROVALS_DECISION_KEY_FILE is required: decisions must be signed, and a click is signed with this key'),
    mattermost: z.boolean().default(true),
    /** Slack's signing secret; the Slack route exists only with it. */
    slackSigningSecretFile: z.string().min(1).optional(),
    slackResponseUrlPrefix: z.string().min(1).default('https://hooks.slack.com/'),
    /** The policy bundle directory; its data.json maps chat users to analysts. */
    policyDir: z.string().min(1).default(fromRoot('policies', 'build')),
    /** HTTPS on the service itself (else plain HTTP behind the ingress that terminates TLS). */
    tlsCertFile: z.string().min(1).optional(),
    tlsKeyFile: z.string().min(1).optional(),
    /** How long a click may wait for the incident's answer (Mattermost waits for the reply). */
    decisionTimeoutMs: z.coerce.number().int().positive().default(10_000),
  })
  .superRefine((c, ctx) => {
    if (Boolean(c.tlsCertFile) !== Boolean(c.tlsKeyFile)) ctx.addIssue({ code: 'custom', path: ['tlsCertFile'], message: 'HTTPS needs both VIGIL_APPROVALS_TLS_CERT and VIGIL_APPROVALS_TLS_KEY' });
    if (!c.mattermost && !c.slackSigningSecretFile) ctx.addIssue({ code: 'custom', path: ['mattermost'], message: 'neither Mattermost nor Slack is enabled (set VIGIL_SLACK_SIGNING_SECRET_FILE or leave VIGIL_APPROVALS_MATTERMOST on)' });
  });
export type ApprovalsConfig = z.infer<typeof ApprovalsConfigSchema>;

export function approvalsConfigFromEnv(env: NodeJS.ProcessEnv): ApprovalsConfig {
  const e = (name: string) => (env[name] === '' ? undefined : env[name]);
  const parsed = ApprovalsConfigSchema.safeParse({
    port: e('VIGIL_APPROVALS_PORT'),
    host: e('VIGIL_APPROVALS_HOST'),
    opsPort: e('VIGIL_OPS_PORT'),
    opsHost: e('VIGIL_OPS_HOST'),
    shutdownGraceMs: e('VIGIL_SHUTDOWN_GRACE_MS'),
    buttonKeyFile: e('VIGIL_APPROVALS_BUTTON_KEY_FILE') ?? '',
    decisionKeyFile: e('VIGIL_APPROVALS_DECISION_KEY_FILE') ?? '',
    mattermost: e('VIGIL_APPROVALS_MATTERMOST') === undefined ? undefined : e('VIGIL_APPROVALS_MATTERMOST') !== 'false',
    slackSigningSecretFile: e('VIGIL_SLACK_SIGNING_SECRET_FILE'),
    slackResponseUrlPrefix: e('VIGIL_SLACK_RESPONSE_URL_PREFIX'),
    policyDir: e('VIGIL_POLICY_DIR'),
    tlsCertFile: e('VIGIL_APPROVALS_TLS_CERT'),
    tlsKeyFile: e('VIGIL_APPROVALS_TLS_KEY'),
    decisionTimeoutMs: e('VIGIL_APPROVALS_DECISION_TIMEOUT_MS'),
  });
  if (!parsed.success) throw new Error(`invalid approvals configuration: ${formatIssues(parsed.error)}`);
  return parsed.data;
}
