/**
 * Registers Switchyard's custom search attributes (SPEC §6) on a server we did not start,
 * so `temporal workflow list --query 'SwitchyardGraph="x"'` and the Web UI filter runs.
 * A dev server we start gets them from `--search-attribute` flags instead.
 */
import { Connection } from '@temporalio/client';
import proto from '@temporalio/proto';
import { SEARCH_ATTRIBUTES } from '../constants.js';

const { temporal } = proto;

const INDEXED_TYPES = {
  Keyword: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
} as const;

/** Adds the attributes that are missing; leaves existing ones alone. */
export async function registerSearchAttributes(address: string, namespace: string): Promise<void> {
  const connection = await Connection.connect({ address });
  try {
    const existing = await connection.operatorService.listSearchAttributes({ namespace });
    const known = new Set(Object.keys(existing.customAttributes ?? {}));
    const missing = Object.entries(SEARCH_ATTRIBUTES).filter(([name]) => !known.has(name));
    if (missing.length === 0) return;
    await connection.operatorService.addSearchAttributes({
      namespace,
      searchAttributes: Object.fromEntries(missing.map(([name, type]) => [name, INDEXED_TYPES[type]])),
    });
  } finally {
    await connection.close();
  }
}
