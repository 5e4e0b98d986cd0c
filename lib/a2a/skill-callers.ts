import { z } from 'zod';

/**
 * Skills that act (remediate) or speak for Vigil (notify): over A2A only the coordinator's identity
 * may ask for them, and no configuration can widen that. The coordinator itself reaches the agents
 * through Temporal, so in a default deployment nobody calls them over A2A at all; they stay on the
 * card so their schemas remain discoverable.
 */
export const COORDINATOR_ONLY_SKILLS: readonly string[] = ['remediate', 'notify'];

/** `{"<skill>": ["<identity>", ...]}`: who may call each skill, on top of the endpoint's allow-list. */
export const SkillCallersSchema = z.record(z.string().min(1), z.array(z.string().min(1)).min(1, 'an empty list would admit nobody; leave the skill out instead'));
export type SkillCallers = z.infer<typeof SkillCallersSchema>;

/** Whether `caller` (a verified certificate identity, or none without mTLS) may call `skill`: null when it may, else why not. */
export type SkillAdmission = (skill: string, caller: string | undefined) => string | null;

/**
 * Builds the per-skill check, refusing at start a list for a skill this agent does not serve (a
 * typo would otherwise leave the skill it meant open) or one that tries to open a coordinator-only skill.
 */
export function skillAdmission(o: { skills: readonly string[]; callers: SkillCallers; coordinatorIdentity?: string }): SkillAdmission {
  for (const skill of Object.keys(o.callers)) {
    if (!o.skills.includes(skill)) throw new Error(`A2A skill callers name "${skill}", which this agent does not serve (it serves ${o.skills.join(', ')})`);
    if (COORDINATOR_ONLY_SKILLS.includes(skill)) throw new Error(`A2A skill "${skill}" is callable only by the coordinator identity (VIGIL_A2A_COORDINATOR_IDENTITY); it cannot be given other callers`);
  }
  const lists = new Map(Object.entries(o.callers).map(([skill, ids]) => [skill, new Set(ids)]));
  return (skill, caller) => {
    if (COORDINATOR_ONLY_SKILLS.includes(skill)) {
      if (!o.coordinatorIdentity) return `skill "${skill}" is not callable over A2A here: only the coordinator may ask for it, and no coordinator identity is configured`;
      return caller === o.coordinatorIdentity ? null : `skill "${skill}" is callable only by the coordinator (${o.coordinatorIdentity}), not by ${caller ?? 'an unauthenticated caller'}`;
    }
    const allowed = lists.get(skill);
    if (!allowed) return null;
    return caller !== undefined && allowed.has(caller) ? null : `${caller ?? 'an unauthenticated caller'} may not call skill "${skill}"`;
  };
}
