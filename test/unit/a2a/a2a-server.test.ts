import { createConnection } from 'node:net';
import { networkInterfaces } from 'node:os';
import { TaskState } from '@a2a-js/sdk';
import type { Message, Task } from '@a2a-js/sdk';
import { analysisSkill, deterministicAnalyser } from '../../../activities/analysis';
import { AnalysisSchema } from '../../../contracts';
import { SKILL_SCHEMAS_EXTENSION } from '../../../lib/a2a/card';
import { connectAgent, skillRequest } from '../../../lib/a2a/client';
import { A2AConfigSchema } from '../../../lib/a2a/config';
import type { A2AServer } from '../../../lib/a2a/server';
import { startA2AServer } from '../../../lib/a2a/server';
import { createLogger } from '../../../lib/logger';
import { anomalyOf, byRule, exampleAlert } from '../../helpers/fixtures';

const log = createLogger('test', 'silent');
const TRACE = 'abcdef0123456789abcdef0123456789';

function connectOnce(host: string, port: number): Promise<'connected'> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host, port, timeout: 2000 });
    socket.once('connect', () => (socket.destroy(), resolve('connected')));
    socket.once('timeout', () => (socket.destroy(), reject(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' }))));
    socket.once('error', reject);
  });
}

function isMessage(r: Message | Task): r is Message {
  return 'messageId' in r && 'parts' in r && !('status' in r);
}

describe('A2A face of an agent without a CA (loopback only)', () => {
  let server: A2AServer;
  beforeAll(async () => {
    server = await startA2AServer({
      agent: 'analysis',
      description: 'test analysis agent',
      version: '0.0.0-test',
      skills: [analysisSkill(deterministicAnalyser)],
      config: A2AConfigSchema.parse({ port: 0, host: '0.0.0.0', tls: {} }),
      log,
    });
  });
  afterAll(() => server?.close());

  it('binds 127.0.0.1 even when asked for every interface', async () => {
    expect(server.mutualTls).toBe(false);
    // The socket's own address, as the kernel reports it, not the URL we print.
    expect(server.listening).toMatchObject({ address: '127.0.0.1', family: 'IPv4', port: server.port });
    expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
    // And from any other address this host has, nothing answers on that port.
    const others = Object.values(networkInterfaces())
      .flat()
      .filter((i) => i && !i.internal && i.family === 'IPv4')
      .map((i) => i!.address);
    for (const address of others) await expect(connectOnce(address, server.port)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    await expect(connectOnce('127.0.0.1', server.port)).resolves.toBe('connected');
  });

  it('publishes a v1.0 card listing the skill with input and output JSON Schemas', async () => {
    const { card } = await connectAgent(server.url);
    expect(card.name).toBe('vigil-analysis');
    expect(card.supportedInterfaces[0]).toMatchObject({ protocolBinding: 'JSONRPC', protocolVersion: '1.0', url: `${server.url}/a2a/jsonrpc` });
    expect(card.skills.map((s) => s.id)).toEqual(['analyse']);
    const ext = card.capabilities?.extensions.find((e) => e.uri === SKILL_SCHEMAS_EXTENSION);
    const schemas = (ext?.params as { skills: Record<string, { input: { properties: Record<string, unknown> }; output: { properties: Record<string, unknown> } }> }).skills.analyse!;
    // `deterministic` asks for the rule analyser alone (the workflow's fallback when the full analysis failed).
    expect(Object.keys(schemas.input.properties)).toEqual(['anomaly', 'deterministic']);
    expect(Object.keys(schemas.output.properties)).toEqual(expect.arrayContaining(['severity', 'confidence', 'actions', 'analyser']));
  });

  it('runs the same skill as the activity and answers with an A2A message carrying the trace id', async () => {
    const { client } = await connectAgent(server.url);
    const anomaly = anomalyOf(exampleAlert(byRule('Terminal shell in container')));
    const reply = await client.sendMessage(skillRequest('analyse', { anomaly }, { traceId: TRACE, contextId: 'incident-test' }));
    if (!isMessage(reply)) throw new Error(`expected a message, got task ${JSON.stringify(reply)}`);
    expect(reply.contextId).toBe('incident-test');
    expect(reply.metadata).toMatchObject({ trace_id: TRACE, skill: 'analyse', from: 'analysis' });
    const part = reply.parts[0]?.content;
    expect(part?.$case).toBe('data');
    const analysis = AnalysisSchema.parse(part?.$case === 'data' ? part.value : null);
    expect(analysis.analyser.kind).toBe('deterministic');
  });

  it('starts a new trace for a caller that sends none', async () => {
    const { client } = await connectAgent(server.url);
    const reply = await client.sendMessage(skillRequest('analyse', { anomaly: anomalyOf(exampleAlert(byRule('Terminal shell in container'))) }));
    expect(isMessage(reply) && reply.metadata?.trace_id).toMatch(/^[0-9a-f]{32}$/);
  });

  it('rejects bad input as a REJECTED task that says what is wrong', async () => {
    const { client } = await connectAgent(server.url);
    const reply = await client.sendMessage(skillRequest('analyse', { anomaly: { alert: 'nope' } }, { traceId: TRACE }));
    expect(isMessage(reply)).toBe(false);
    const task = reply as Task;
    expect(task.status?.state).toBe(TaskState.TASK_STATE_REJECTED);
    const text = task.status?.message?.parts[0]?.content;
    expect(text?.$case === 'text' && text.value).toContain('invalid input');
  });

  it('rejects a skill the agent does not have', async () => {
    const { client } = await connectAgent(server.url);
    const task = (await client.sendMessage(skillRequest('terminate-everything', {}))) as Task;
    expect(task.status?.state).toBe(TaskState.TASK_STATE_REJECTED);
    const text = task.status?.message?.parts[0]?.content;
    expect(text?.$case === 'text' && text.value).toContain('this agent serves analyse');
  });
});
