import { createHash } from 'node:crypto';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { FalcoAlert } from '../contracts';
import { issueLines, workloadOf } from '../contracts';
import type { Suppression } from '../activities/review/policy-data';
import { policyDataProblems, SuppressionSchema, utcSeconds } from '../activities/review/policy-data';
import { fromRoot } from '../lib/paths';

type Fail = (message: string, code?: number) => never;

const DAY_MS = 86_400_000;

/** `2027-01-31`, `2027-01-31T12:00:00+02:00` or a duration from now (`30d`, `12h`), as RFC 3339 UTC to the second. */
export function expiryFrom(text: string, now = new Date()): string {
  const duration = /^(\d{1,4})([dh])$/.exec(text.trim());
  if (duration) return utcSeconds(new Date(now.getTime() + Number(duration[1]) * (duration[2] === 'd' ? DAY_MS : DAY_MS / 24)));
  if (!/^\d{4}-\d{2}-\d{2}/.test(text) || Number.isNaN(Date.parse(text))) throw new Error(`expiry "${text.slice(0, 40)}" is neither a date (2027-01-31, RFC 3339) nor a duration (30d, 12h)`);
  return utcSeconds(new Date(Date.parse(text)));
}

/** Keys in one fixed order, so a file written twice is the same file (and a review diff shows only what changed). */
function canonical(s: Suppression): Suppression {
  const { namespace, kind, name } = s.workload;
  return {
    id: s.id,
    workload: { namespace, ...(kind !== undefined ? { kind } : {}), name },
    rule: s.rule,
    ...(s.process !== undefined ? { process: s.process } : {}),
    author: s.author,
    reason: s.reason,
    expires: s.expires,
  };
}

/** A readable id that is the same for the same workload, rule and process. */
export function suppressionId(s: Pick<Suppression, 'workload' | 'rule' | 'process'>): string {
  const slug = `${s.workload.namespace}-${s.workload.name}`.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 80) || 'suppression';
  const hash = createHash('sha256').update(JSON.stringify([s.workload.namespace, s.workload.kind ?? null, s.workload.name, s.rule, s.process ?? null])).digest('hex').slice(0, 8);
  return `${slug}-${hash}`;
}

/**
 * The suppression a false-positive rejection proposes: this alert's rule, by this process, on this
 * workload (what survives a rollout, never the pod), with who, why and until when.
 */
export function suppressionFor(alert: FalcoAlert, who: { author: string; reason: string; expires: string }): Suppression {
  const w = workloadOf(alert);
  const proc = alert.output_fields['proc.name'];
  const base = {
    workload: { namespace: w.namespace, kind: w.kind, name: w.name },
    rule: alert.rule,
    ...(typeof proc === 'string' && proc !== '' ? { process: proc } : {}),
  };
  return SuppressionSchema.parse(canonical({ id: suppressionId(base), ...base, author: who.author, reason: who.reason || `false positive: ${alert.rule}`, expires: who.expires }));
}

interface DataFile {
  path: string;
  doc: { vigil: { suppressions?: unknown[] } & Record<string, unknown> } & Record<string, unknown>;
  suppressions: Suppression[];
}

function readData(path: string): DataFile {
  let doc: DataFile['doc'];
  try {
    doc = JSON.parse(readFileSync(path, 'utf8')) as DataFile['doc'];
  } catch (err) {
    throw new Error(`cannot read ${path} as JSON: ${(err as Error).message}`);
  }
  const problems = policyDataProblems(doc);
  if (problems.length) throw new Error(`${path} is not valid policy data (fix it first):\n  ${problems.join('\n  ')}`);
  return { path, doc, suppressions: (doc.vigil.suppressions ?? []).map((s) => SuppressionSchema.parse(s)) };
}

/** Writes the suppressions sorted by id, validated as a whole document first; atomic (rename), so a reader never sees half a file. */
function writeData(file: DataFile, suppressions: Suppression[]): void {
  const sorted = [...suppressions].map(canonical).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const doc = { ...file.doc, vigil: { ...file.doc.vigil, suppressions: sorted } };
  const problems = policyDataProblems(doc);
  if (problems.length) throw new Error(`refusing to write ${file.path}:\n  ${problems.join('\n  ')}`);
  const tmp = `${file.path}.vigil-${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(doc, null, 2)}\n`);
  renameSync(tmp, file.path);
}

export function addSuppression(path: string, s: Suppression): Suppression {
  const file = readData(path);
  const parsed = SuppressionSchema.safeParse(s);
  if (!parsed.success) throw new Error(`not a valid suppression:\n  ${issueLines(parsed.error).join('\n  ')}`);
  if (file.suppressions.some((x) => x.id === parsed.data.id)) throw new Error(`a suppression with id ${parsed.data.id} already exists (remove it first, or give another --id)`);
  writeData(file, [...file.suppressions, parsed.data]);
  return canonical(parsed.data);
}

export function removeSuppression(path: string, id: string): Suppression {
  const file = readData(path);
  const found = file.suppressions.find((x) => x.id === id);
  if (!found) throw new Error(`no suppression with id ${id} in ${path}`);
  writeData(file, file.suppressions.filter((x) => x.id !== id));
  return found;
}

export function listSuppressions(path: string): Suppression[] {
  return readData(path).suppressions.map(canonical).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

function describe(s: Suppression, now: Date): string {
  const expired = Date.parse(s.expires) <= now.getTime();
  const w = `${s.workload.namespace}/${s.workload.kind ? `${s.workload.kind}/` : ''}${s.workload.name}`;
  return `${s.id}  ${w}  "${s.rule}"${s.process ? ` by ${s.process}` : ''}  until ${s.expires}${expired ? ' (expired, ignored)' : ''}  ${s.author}: ${s.reason}`;
}

const defaultFile = () => fromRoot('policies', 'data.json');

export function registerSuppressCommands(program: Command, fail: Fail): void {
  const suppress = program
    .command('suppress')
    .description('analyst suppressions in policy data (data.vigil.suppressions): the gate drops, review auto-rejects what they cover; commit the file and review it like policy');

  suppress
    .command('list')
    .description('the suppressions in the policy data, sorted by id (expired ones are shown and ignored)')
    .option('--file <data.json>', 'policy data file', defaultFile())
    .option('--json', 'print JSON (the data format)')
    .action((opts: { file: string; json?: boolean }) => {
      try {
        const list = listSuppressions(opts.file);
        if (opts.json) process.stdout.write(`${JSON.stringify(list, null, 2)}\n`);
        else if (list.length === 0) process.stdout.write('no suppressions\n');
        else for (const s of list) process.stdout.write(`${describe(s, new Date())}\n`);
      } catch (err) {
        fail((err as Error).message, 2);
      }
    });

  suppress
    .command('add')
    .description('add a suppression (validated with the whole data file; written sorted, atomically)')
    .requiredOption('--workload-namespace <ns>', "the workload's namespace ('-' for hosts; --namespace is Temporal's)")
    .requiredOption('--name <workload>', 'the workload: Deployment/StatefulSet/DaemonSet/... name, app label, image or hostname, as `vigil show` names it')
    .option('--kind <kind>', 'the workload kind (Deployment, DaemonSet, App, Host, ...); any kind when omitted')
    .requiredOption('--rule <rule>', 'the Falco rule, exactly')
    .option('--process <name>', 'only when this process (proc.name) raised it')
    .requiredOption('--author <analyst>', 'who decided this is normal')
    .requiredOption('--reason <text>', 'why it is normal here')
    .option('--expires <when>', 'RFC 3339 time, a date, or a duration from now (30d, 12h)', '30d')
    .option('--id <id>', 'an id (default: derived from workload, rule and process)')
    .option('--file <data.json>', 'policy data file', defaultFile())
    .action((opts: { workloadNamespace: string; name: string; kind?: string; rule: string; process?: string; author: string; reason: string; expires: string; id?: string; file: string }) => {
      try {
        const base = { workload: { namespace: opts.workloadNamespace, ...(opts.kind ? { kind: opts.kind } : {}), name: opts.name }, rule: opts.rule, ...(opts.process ? { process: opts.process } : {}) };
        const added = addSuppression(opts.file, { id: opts.id ?? suppressionId(base), ...base, author: opts.author, reason: opts.reason, expires: expiryFrom(opts.expires) });
        process.stdout.write(`added ${describe(added, new Date())}\n`);
      } catch (err) {
        fail((err as Error).message, 2);
      }
    });

  suppress
    .command('remove <id>')
    .description('remove a suppression by id')
    .option('--file <data.json>', 'policy data file', defaultFile())
    .action((id: string, opts: { file: string }) => {
      try {
        const removed = removeSuppression(opts.file, id);
        process.stdout.write(`removed ${describe(removed, new Date())}\n`);
      } catch (err) {
        fail((err as Error).message, 2);
      }
    });
}
