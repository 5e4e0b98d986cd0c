import { counter } from '../lib/metrics';

export const CLICK_OUTCOMES = ['accepted', 'refused', 'forged', 'expired', 'replayed', 'unmapped', 'bad_request', 'bad_signature', 'stale', 'error'] as const;
export type ClickOutcome = (typeof CLICK_OUTCOMES)[number];

const clicks = counter({ name: 'vigil_approvals_clicks_total', help: 'Chat approval clicks by platform and outcome', labelNames: ['platform', 'outcome'] as const });

/** Every chat click, by platform and what became of it (forged, replayed and expired ones included). */
export function countClick(platform: 'mattermost' | 'slack', outcome: ClickOutcome): void {
  clicks().inc({ platform, outcome });
}
