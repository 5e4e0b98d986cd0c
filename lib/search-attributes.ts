import type { Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { SA } from '../contracts';

const INDEXED = temporal.api.enums.v1.IndexedValueType;

/**
 * Registers Vigil's search attributes on a namespace (self-hosted clusters and the test server;
 * Temporal Cloud registers them through its own API). Attributes already present are skipped.
 */
export async function registerSearchAttributes(connection: Connection, namespace: string): Promise<string[]> {
  // The time-skipping test server implements add but not list; treat an unimplemented list as empty.
  const existing = await connection.operatorService.listSearchAttributes({ namespace }).catch((err: { code?: number }) => {
    if (err.code === 12) return { customAttributes: {} };
    throw err;
  });
  const have = new Set(Object.keys(existing.customAttributes ?? {}));
  const missing = Object.values(SA).filter((k) => !have.has(k.name));
  if (missing.length === 0) return [];
  await connection.operatorService.addSearchAttributes({
    namespace,
    searchAttributes: Object.fromEntries(
      missing.map((k) => [k.name, k.type === 'DOUBLE' ? INDEXED.INDEXED_VALUE_TYPE_DOUBLE : INDEXED.INDEXED_VALUE_TYPE_KEYWORD]),
    ),
  });
  return missing.map((k) => k.name);
}
