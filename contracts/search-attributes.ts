import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/** Custom search attributes an analyst filters incidents by in the Temporal UI. */
export const SA = {
  status: defineSearchAttributeKey('VigilStatus', SearchAttributeType.KEYWORD),
  verdict: defineSearchAttributeKey('VigilVerdict', SearchAttributeType.KEYWORD),
  severity: defineSearchAttributeKey('VigilSeverity', SearchAttributeType.KEYWORD),
  asset: defineSearchAttributeKey('VigilAsset', SearchAttributeType.KEYWORD),
  traceId: defineSearchAttributeKey('VigilTraceId', SearchAttributeType.KEYWORD),
  anomalyScore: defineSearchAttributeKey('VigilAnomalyScore', SearchAttributeType.DOUBLE),
  /** `trusted` when the gate opened the incident (its signed anomaly), `untrusted` otherwise: such an incident never auto-executes. */
  trusted: defineSearchAttributeKey('VigilTrusted', SearchAttributeType.KEYWORD),
} as const;

/** The values of `VigilTrusted` (and `state.trusted`, null until review has checked the origin). */
export const TRUST_LABELS = { trusted: 'trusted', untrusted: 'untrusted' } as const;

/** `name=Type` pairs for `temporal server start-dev --search-attribute` and operator registration. */
export const SEARCH_ATTRIBUTE_REGISTRATIONS: readonly string[] = Object.values(SA).map(
  (k) => `${k.name}=${k.type === SearchAttributeType.DOUBLE ? 'Double' : 'Keyword'}`,
);
