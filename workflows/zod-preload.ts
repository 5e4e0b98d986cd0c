import { z } from 'zod';

/**
 * Loaded once per workflow thread, before any incident, so zod is shared by every incident in it
 * (`bundlerOptions.preloadModules`, workers/coordinator/workflow-setup.ts): with a reused V8 context
 * each workflow otherwise evaluates its own zod, ~0.7 MiB of its ~1.35 MiB of module state.
 *
 * The SDK deep-freezes what it preloads. zod 4.6 freezes its own module exports, so that freeze
 * stops at zod's surface; but zod keeps a few values it computes lazily, on first use, in
 * module-level objects (whether the sandbox allows `new Function`, for its fast object parser; its
 * locale's messages), and computed in a frozen object they would throw. So this parses once, with
 * every kind of schema the contracts build, valid and invalid input both, while nothing is frozen:
 * a freeze that did reach them would then find them settled. The schemas here are local and
 * dropped; the contracts' own schemas are still built per incident, never frozen (zod binds their
 * methods lazily too, which a frozen schema refuses).
 */
function exercise(): void {
  const inner = z.object({ n: z.number().int().min(0).max(9), s: z.string().min(1).max(8).regex(/^[a-z]+$/) }).strict();
  const schema = z.object({
    kind: z.enum(['a', 'b']),
    lit: z.literal('x'),
    opt: z.string().optional(),
    nul: z.string().nullable(),
    def: z.string().default(''),
    arr: z.array(inner).max(4),
    rec: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])),
    tagged: z.discriminatedUnion('t', [z.object({ t: z.literal('p'), p: z.number() }), z.object({ t: z.literal('q'), q: z.string() })]),
    checked: z.string().refine((v) => v.length < 10, 'too long').transform((v) => v.trim()),
    tuple: z.tuple([z.string(), z.number()]),
    bool: z.boolean(),
    iso: z.iso.datetime(),
    lazy: z.lazy(() => z.string()),
    any: z.unknown(),
  });
  const good = { kind: 'a', lit: 'x', nul: null, arr: [{ n: 1, s: 'ab' }], rec: { k: 1 }, tagged: { t: 'p', p: 1 }, checked: ' v ', tuple: ['a', 1], bool: true, iso: '2026-01-01T00:00:00Z', lazy: 's', any: 1 };
  schema.parse(good);
  schema.safeParse({ ...good, kind: 'c', arr: [{ n: -1, s: 'A', extra: 1 }], tagged: { t: 'r' }, iso: 'no' });
  schema.partial().strict().safeParse({ nope: 1 });
  schema.shape.arr.element.extend({ more: z.string() }).pick({ more: true }).safeParse({});
}

exercise();
