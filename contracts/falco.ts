import { z } from 'zod';

/** Falco's priorities, most to least severe. Falco and falcosidekick differ in case, so parsing normalises. */
export const FALCO_PRIORITIES = ['Emergency', 'Alert', 'Critical', 'Error', 'Warning', 'Notice', 'Informational', 'Debug'] as const;
export type FalcoPriority = (typeof FALCO_PRIORITIES)[number];

// A Map, not an object literal: a priority spelled "constructor" or "__proto__" must find nothing,
// not Object.prototype's members.
const PRIORITY_ALIASES: ReadonlyMap<string, FalcoPriority> = new Map<string, FalcoPriority>([
  ...FALCO_PRIORITIES.map((p) => [p.toLowerCase(), p] as const),
  ['info', 'Informational'],
  ['warn', 'Warning'],
  ['err', 'Error'],
  ['crit', 'Critical'],
  ['emerg', 'Emergency'],
]);

const priority = z.string().transform((raw, ctx) => {
  const p = PRIORITY_ALIASES.get(raw.trim().toLowerCase());
  if (!p) {
    ctx.addIssue({ code: 'custom', message: `unknown Falco priority "${raw.slice(0, 40)}" (expected one of ${FALCO_PRIORITIES.join(', ')})` });
    return z.NEVER;
  }
  return p;
});

/** output_fields values seen in the wild: strings, numbers (evt.time as ns), nulls for unknown fields, booleans, string lists. */
const fieldValue = z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(z.union([z.string(), z.number()]))]);

/** Bounds protect everything downstream (memory, logs, LLM prompts) from a single hostile alert. */
export const ALERT_LIMITS = { outputChars: 16_384, fieldChars: 8_192, fields: 256, tags: 64, ruleChars: 512 } as const;

export const FalcoAlertSchema = z
  .object({
    output: z.string().max(ALERT_LIMITS.outputChars),
    priority,
    rule: z.string().min(1).max(ALERT_LIMITS.ruleChars),
    time: z.string().refine((t) => !Number.isNaN(Date.parse(t)), { message: 'time is not an RFC 3339 timestamp' }),
    output_fields: z
      .record(z.string().max(256), fieldValue)
      .refine((f) => Object.keys(f).length <= ALERT_LIMITS.fields, { message: `more than ${ALERT_LIMITS.fields} output_fields` })
      .refine((f) => Object.values(f).every((v) => typeof v !== 'string' || v.length <= ALERT_LIMITS.fieldChars), {
        message: `an output_fields value is longer than ${ALERT_LIMITS.fieldChars} characters`,
      }),
    source: z.string().max(128).optional(),
    tags: z.array(z.string().max(128)).max(ALERT_LIMITS.tags).optional(),
    hostname: z.string().max(253).optional(),
    uuid: z.string().max(64).optional(),
    message: z.string().max(ALERT_LIMITS.outputChars).optional(),
  })
  .loose();

export type FalcoAlert = z.infer<typeof FalcoAlertSchema>;
export type FalcoFieldValue = z.infer<typeof fieldValue>;
