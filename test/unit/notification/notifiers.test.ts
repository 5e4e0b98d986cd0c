import type { Notice } from '../../../activities/notification/notice';
import type { Notifier } from '../../../activities/notification/notifier';
import { fanOut, NOTIFIERS, notifiersFromEnv, selectedNotifierNames } from '../../../activities/notification/notifiers';

const notice = { incidentId: 'incident-abc', kind: 'resolution' } as const satisfies Partial<Notice>;
const send = (n: Notifier) => n.send(notice as unknown as Notice, 'text', 'key-1');
const ok = (name: string, into: string[]): Notifier => ({ name, send: async () => (into.push(name), { channel: name, delivered: true, detail: 'ok' }) });
const broken = (name: string): Notifier => ({
  name,
  send: async () => {
    throw new Error(`${name} is down`);
  },
});

describe('notifier plugins', () => {
  it('are selected by VIGIL_NOTIFIERS, else the webhook when one is configured, else the console', () => {
    expect(selectedNotifierNames({ VIGIL_NOTIFIERS: 'webhook, console,webhook' })).toEqual(['webhook', 'console']);
    expect(selectedNotifierNames({ VIGIL_WEBHOOK_URL: 'http://127.0.0.1:1/hook' })).toEqual(['webhook']);
    expect(selectedNotifierNames({})).toEqual(['console']);
  });

  it('refuse to start on an unknown notifier or a bad config, naming it', () => {
    expect(() => notifiersFromEnv({ VIGIL_NOTIFIERS: 'pager' })).toThrow(/unknown notifier "pager"; known: console, webhook/);
    expect(() => notifiersFromEnv({ VIGIL_NOTIFIERS: 'webhook' })).toThrow(/notifier webhook: invalid configuration: url:/);
    expect(() => notifiersFromEnv({ VIGIL_NOTIFIERS: 'webhook', VIGIL_WEBHOOK_URL: 'file:///etc/passwd' })).toThrow(/http\(s\) URL/);
    expect(notifiersFromEnv({ VIGIL_NOTIFIERS: 'console,webhook', VIGIL_WEBHOOK_URL: 'http://127.0.0.1:1/hook' }).map((n) => n.name)).toEqual(['console', 'webhook']);
  });

  it('each describe themselves with a config schema', () => {
    for (const p of NOTIFIERS) {
      expect(p.description.length).toBeGreaterThan(10);
      expect(typeof p.config.safeParse).toBe('function');
    }
  });

  it('fan a notice out to every notifier; a partial delivery says which failed, and only a total failure throws (so the activity retries)', async () => {
    const sent: string[] = [];
    expect(await send(fanOut([ok('a', sent), ok('b', sent)]))).toEqual({ channel: 'a,b', delivered: true, detail: 'ok; ok' });
    const partial = await send(fanOut([ok('a', sent), broken('b')]));
    expect(partial).toMatchObject({ channel: 'a', delivered: false });
    expect(partial.detail).toContain('b: Error: b is down');
    await expect(send(fanOut([broken('a'), broken('b')]))).rejects.toThrow(/no notifier delivered: a: Error: a is down; b: Error: b is down/);
    expect(sent).toEqual(['a', 'b', 'a']);
  });
});
