/**
 * Switchyard's custom search attributes (SPEC §6) on the server, so that
 * `temporal workflow list --query 'SwitchyardGraph="x"'` and the Web UI filter runs. A dev
 * server we start gets them from `--search-attribute` flags; one we did not start gets them
 * registered through the operator service. Both are derived from SEARCH_ATTRIBUTES in
 * src/constants.ts, the one place they are named and typed.
 */
import { Connection } from '@temporalio/client';
import { TypedSearchAttributes, type SearchAttributeType } from '@temporalio/common';
import proto from '@temporalio/proto';
import { SEARCH_ATTRIBUTES } from '../constants.js';

const { IndexedValueType } = proto.temporal.api.enums.v1;

/** `temporal server start-dev` flags that create every attribute, e.g. `SwitchyardGraph=Keyword`. */
export function searchAttributeFlags(): string[] {
  return Object.values(SEARCH_ATTRIBUTES).flatMap(({ name, type }) => [
    '--search-attribute',
    `${name}=${TypedSearchAttributes.toMetadataType(type)}`,
  ]);
}

/** The server's index type for an SDK type: the proto enum names each SDK type with a prefix. */
function indexedValueType(type: SearchAttributeType): proto.temporal.api.enums.v1.IndexedValueType {
  return IndexedValueType[`INDEXED_VALUE_TYPE_${type}`];
}

/** Adds the attributes that are missing; leaves existing ones alone. */
export async function registerSearchAttributes(address: string, namespace: string): Promise<void> {
  const connection = await Connection.connect({ address });
  try {
    const existing = await connection.operatorService.listSearchAttributes({ namespace });
    const known = new Set(Object.keys(existing.customAttributes ?? {}));
    const missing = Object.values(SEARCH_ATTRIBUTES).filter(({ name }) => !known.has(name));
    if (missing.length === 0) return;
    await connection.operatorService.addSearchAttributes({
      namespace,
      searchAttributes: Object.fromEntries(missing.map(({ name, type }) => [name, indexedValueType(type)])),
    });
  } finally {
    await connection.close();
  }
}
