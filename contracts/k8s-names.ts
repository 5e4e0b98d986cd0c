import { z } from 'zod';
import type { FalcoAlert } from './falco';

/**
 * Kubernetes' own name rules (apimachinery validation), applied wherever Vigil names an object it
 * may act on. An exact-match protection such as "kube-system always escalates" is only as good as
 * the spelling it compares: `Kube-System`, `kube-system.`, `kube-system/../x` or a look-alike in
 * another script must never reach it as a different, unprotected name. Kubernetes itself refuses
 * such names, so an alert or a proposal carrying one is hostile or broken, and is refused here.
 */
export const DNS1123_LABEL_MAX = 63;
export const DNS1123_SUBDOMAIN_MAX = 253;

const LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
/** Hosts may spell themselves in capitals (RFC 1123 is case-insensitive); nothing else is allowed. */
const HOSTNAME = /^[A-Za-z0-9]([-A-Za-z0-9]*[A-Za-z0-9])?(\.[A-Za-z0-9]([-A-Za-z0-9]*[A-Za-z0-9])?)*$/;

const shown = (v: string) => JSON.stringify(v.length > 80 ? `${v.slice(0, 80)}…` : v);

/** Why `value` is not a DNS-1123 label (namespaces, resources), or null when it is one. */
export function dns1123LabelProblem(value: string): string | null {
  if (value.length > DNS1123_LABEL_MAX) return `${value.length} characters, more than ${DNS1123_LABEL_MAX}`;
  if (!LABEL.test(value)) return `${shown(value)} is not lowercase letters, digits and '-', starting and ending alphanumeric`;
  return null;
}

/** Why `value` is not a DNS-1123 subdomain (pods, workloads, nodes), or null when it is one. */
export function dns1123SubdomainProblem(value: string): string | null {
  if (value.length > DNS1123_SUBDOMAIN_MAX) return `${value.length} characters, more than ${DNS1123_SUBDOMAIN_MAX}`;
  if (!SUBDOMAIN.test(value)) return `${shown(value)} is not lowercase DNS labels joined by '.'`;
  return null;
}

/**
 * Why `value` cannot be the name of an API object in a URL path (what any resource accepts, e.g.
 * `system:controller:x` for RBAC objects), or null: no '/', no '%', not '.' or '..'.
 */
export function pathSegmentNameProblem(value: string): string | null {
  if (value.length === 0) return 'empty';
  if (value.length > DNS1123_SUBDOMAIN_MAX) return `${value.length} characters, more than ${DNS1123_SUBDOMAIN_MAX}`;
  if (value === '.' || value === '..') return `${shown(value)} is a path step, not a name`;
  if (/[/%]/.test(value)) return `${shown(value)} contains '/' or '%'`;
  // Control characters and anything outside printable ASCII are never part of a Kubernetes name.
  if (/[^\x21-\x7e]/.test(value)) return `${shown(value)} contains characters outside printable ASCII`;
  return null;
}

export function hostnameProblem(value: string): string | null {
  if (value.length > DNS1123_SUBDOMAIN_MAX) return `${value.length} characters, more than ${DNS1123_SUBDOMAIN_MAX}`;
  if (!HOSTNAME.test(value)) return `${shown(value)} is not a hostname`;
  return null;
}

const refined = (check: (v: string) => string | null) =>
  z.string().superRefine((v, ctx) => {
    const problem = check(v);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

export const NamespaceNameSchema = refined(dns1123LabelProblem);
export const ObjectNameSchema = refined(dns1123SubdomainProblem);
export const ResourceNameSchema = refined(dns1123LabelProblem);
export const PathSegmentNameSchema = refined(pathSegmentNameProblem);
export const HostnameSchema = refined(hostnameProblem);

/** The alert fields that name a Kubernetes object Vigil may act on, and the rule each must follow. */
const ALERT_NAME_FIELDS: ReadonlyArray<[string, (v: string) => string | null]> = [
  ['k8s.ns.name', dns1123LabelProblem],
  ['k8s.pod.name', dns1123SubdomainProblem],
  ['ka.target.namespace', dns1123LabelProblem],
  ['ka.target.resource', dns1123LabelProblem],
  ['ka.target.name', pathSegmentNameProblem],
];

/**
 * Every way the alert's object names break Kubernetes' rules, one line each naming the field;
 * empty when they are all valid (or absent). The gate dead-letters an alert with any, and every
 * activity refuses an anomaly with any as invalid input (contracts/anomaly.ts).
 */
export function alertNameProblems(alert: Pick<FalcoAlert, 'output_fields' | 'hostname'>): string[] {
  const problems: string[] = [];
  const f = alert.output_fields;
  for (const [field, check] of ALERT_NAME_FIELDS) {
    const v = f[field];
    // Falco sends null (or nothing) for a field it could not resolve: that names no object.
    if (v === undefined || v === null || v === '') continue;
    const problem = typeof v === 'string' ? check(v) : `not a string`;
    if (problem) problems.push(`output_fields.${field}: ${problem}`);
  }
  if (f['ka.target.resource'] === 'pods' && typeof f['ka.target.name'] === 'string') {
    const problem = dns1123SubdomainProblem(f['ka.target.name']);
    if (problem) problems.push(`output_fields.ka.target.name: a pod name: ${problem}`);
  }
  if (alert.hostname !== undefined && alert.hostname !== '') {
    const problem = hostnameProblem(alert.hostname);
    if (problem) problems.push(`hostname: ${problem}`);
  }
  return problems;
}
