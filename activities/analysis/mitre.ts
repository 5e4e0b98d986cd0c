import type { Technique } from '../../contracts';

/** MITRE ATT&CK names for the technique ids Falco's rules carry (and the k8s-audit ones we map). */
const TECHNIQUE_NAMES: Record<string, string> = {
  T1055: 'Process Injection',
  'T1055.008': 'Ptrace System Calls',
  T1059: 'Command and Scripting Interpreter',
  'T1059.004': 'Unix Shell',
  T1070: 'Indicator Removal',
  T1078: 'Valid Accounts',
  T1136: 'Create Account',
  T1485: 'Data Destruction',
  T1543: 'Create or Modify System Process',
  T1552: 'Unsecured Credentials',
  'T1552.001': 'Credentials In Files',
  T1555: 'Credentials from Password Stores',
  'T1557.002': 'ARP Cache Poisoning',
  T1565: 'Data Manipulation',
  T1609: 'Container Administration Command',
  T1611: 'Escape to Host',
  T1620: 'Reflective Code Loading',
  T1622: 'Debugger Evasion',
};

/** Falco tags tactics as `mitre_<tactic>`; ATT&CK spells them with dashes. */
function tacticOf(tags: readonly string[]): string {
  const tag = tags.find((t) => t.startsWith('mitre_'));
  return tag ? tag.slice('mitre_'.length).replace(/_/g, '-') : 'unknown';
}

export function techniqueFromTags(tags: readonly string[]): Technique | null {
  const id = tags.find((t) => /^T\d{4}(\.\d{3})?$/.test(t));
  if (!id) return null;
  return { id, name: TECHNIQUE_NAMES[id] ?? TECHNIQUE_NAMES[id.split('.')[0] ?? ''] ?? id, tactic: tacticOf(tags) };
}
