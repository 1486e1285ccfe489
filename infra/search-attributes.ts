import type { Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { SEARCH_ATTRIBUTE_REGISTRATIONS } from '../workflows/booking/search-attributes';

const INDEXED = temporal.api.enums.v1.IndexedValueType;
const INDEXED_TYPE = {
  Keyword: INDEXED.INDEXED_VALUE_TYPE_KEYWORD,
  Datetime: INDEXED.INDEXED_VALUE_TYPE_DATETIME,
  Double: INDEXED.INDEXED_VALUE_TYPE_DOUBLE,
  Bool: INDEXED.INDEXED_VALUE_TYPE_BOOL,
} as const;

/**
 * Registers Itinera's custom search attributes on a namespace, skipping those already there.
 * The dev server gets them from its start flags; a production cluster (or the time-skipping test
 * server) gets them through this, the same call `temporal operator search-attribute create` makes.
 */
export async function registerSearchAttributes(connection: Connection, namespace: string): Promise<string[]> {
  const known = new Set<string>();
  try {
    const existing = await connection.operatorService.listSearchAttributes({ namespace });
    for (const name of [...Object.keys(existing.customAttributes ?? {}), ...Object.keys(existing.systemAttributes ?? {})]) known.add(name);
  } catch (err) {
    // The time-skipping test server has no ListSearchAttributes, but does take AddSearchAttributes.
    if ((err as { code?: number }).code !== 12 /* UNIMPLEMENTED */) throw err;
  }
  const missing = SEARCH_ATTRIBUTE_REGISTRATIONS.filter((sa) => !known.has(sa.name));
  if (missing.length === 0) return [];
  await connection.operatorService.addSearchAttributes({
    namespace,
    searchAttributes: Object.fromEntries(
      missing.map((sa) => [sa.name, INDEXED_TYPE[sa.type]]),
    ),
  });
  return missing.map((sa) => sa.name);
}
