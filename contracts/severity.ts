import type { FalcoPriority } from './falco';

export const SEVERITIES = ['critical', 'high', 'medium', 'low', 'info'] as const;
export type Severity = (typeof SEVERITIES)[number];

const BY_PRIORITY: Record<FalcoPriority, Severity> = {
  Emergency: 'critical',
  Alert: 'critical',
  Critical: 'critical',
  Error: 'high',
  Warning: 'medium',
  Notice: 'low',
  Informational: 'info',
  Debug: 'info',
};

export function severityFromPriority(p: FalcoPriority): Severity {
  return BY_PRIORITY[p];
}
