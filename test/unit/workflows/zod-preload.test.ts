/**
 * The workflow thread shares one zod, preloaded and then deep-frozen by the SDK
 * (workflows/zod-preload.ts). This freezes zod the way the SDK does (every object reachable from
 * its exports, functions frozen but not their prototypes) after the warm-up, and only then builds
 * the contracts and parses what the workflow parses: an anomaly, analyst decisions (plain and
 * signed), a containment request, each good and bad. The SDK freezes every module the preload
 * loaded, one by one; here every one of zod's CommonJS files stands for them.
 */
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type * as Contracts from '../../../contracts';
import type * as Decision from '../../../contracts/decision';
import type * as Fixtures from '../../helpers/fixtures';

function deepFreeze(o: unknown, seen = new WeakSet<object>()): void {
  // Stricter than the SDK, which stops at an object already frozen (zod freezes its own exports):
  // everything reachable is frozen here, so a lazy value anywhere in zod would show.
  if (o === null || (typeof o !== 'object' && typeof o !== 'function') || seen.has(o)) return;
  seen.add(o);
  if (typeof o === 'object') for (const k of Reflect.ownKeys(o)) deepFreeze((o as Record<PropertyKey, unknown>)[k], seen);
  Object.freeze(o);
}

describe('zod preloaded and frozen, as the workflow thread holds it', () => {
  it('still builds and runs every check the workflow makes', () => {
    jest.isolateModules(() => {
      require('../../../workflows/zod-preload');
      const root = dirname(require.resolve('zod'));
      for (const file of readdirSync(root, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.cjs'))) deepFreeze(require(join(root, file)));
      expect(Object.isFrozen(require('zod/v4/core').util.allowsEval)).toBe(true);
      const contracts = require('../../../contracts') as typeof Contracts;
      const { parseSubmittedDecision } = require('../../../contracts/decision') as typeof Decision;
      const { anomalyOf, exampleAlerts } = require('../../helpers/fixtures') as typeof Fixtures;

      const anomaly = anomalyOf(exampleAlerts()[0]!);
      expect(contracts.AnomalySchema.safeParse(anomaly).success).toBe(true);
      expect(contracts.AnomalySchema.safeParse({ ...anomaly, score: 'high' }).success).toBe(false);

      expect(parseSubmittedDecision({ decision: 'approve', analyst: 'alice' })).toEqual({ ok: true, value: { signed: false, decision: { decision: 'approve', analyst: 'alice', reason: '' } } });
      expect(parseSubmittedDecision({ decision: 'maybe', analyst: 'alice' })).toMatchObject({ ok: false, reason: expect.stringContaining('decision') });
      expect(parseSubmittedDecision({ token: 'a.b.c' })).toMatchObject({ ok: true, value: { signed: true, token: 'a.b.c' } });
      expect(parseSubmittedDecision({ token: '' })).toMatchObject({ ok: false });

      expect(contracts.ContainmentRequestSchema.parse({ analyst: 'alice' })).toEqual({ analyst: 'alice', reason: '' });
      expect(contracts.ContainmentRequestSchema.safeParse({ analyst: '' }).success).toBe(false);
      expect(contracts.IncidentStateSchema.safeParse({}).success).toBe(false);
    });
  });
});
