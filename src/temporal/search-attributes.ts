/**
 * Switchyard's custom search attributes (SPEC §6) on the server, so that
 * `temporal workflow list --query 'SwitchyardGraph="x"'` and the Web UI filter runs. A dev
 * server we start gets them from `--search-attribute` flags; one we did not start gets them
 * registered through the operator service. Both are derived from SEARCH_ATTRIBUTES in
 * src/constants.ts, the one place they are named and typed.
 */
import { Connection, type ConnectionLike } from '@temporalio/client';
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

/** What {@link ensureSearchAttributes} found for one attribute. */
export type AttributeStatus = 'added' | 'exists';

/**
 * Adds the attributes that are missing on `namespace` and leaves existing ones alone; an
 * attribute that exists with another type is an error, since runs could not be tagged.
 */
export async function ensureSearchAttributes(
  connection: Pick<ConnectionLike, 'operatorService'>,
  namespace: string,
): Promise<{ name: string; type: string; status: AttributeStatus }[]> {
  const existing = (await connection.operatorService.listSearchAttributes({ namespace })).customAttributes ?? {};
  const wanted = Object.values(SEARCH_ATTRIBUTES);
  for (const { name, type } of wanted) {
    const found = existing[name];
    if (found !== undefined && found !== null && found !== indexedValueType(type)) {
      throw new Error(
        `search attribute ${name} exists on namespace ${namespace} with type ${IndexedValueType[found] ?? found}, not ${TypedSearchAttributes.toMetadataType(type)}`,
      );
    }
  }
  const missing = wanted.filter(({ name }) => !(name in existing));
  if (missing.length > 0) {
    await connection.operatorService.addSearchAttributes({
      namespace,
      searchAttributes: Object.fromEntries(missing.map(({ name, type }) => [name, indexedValueType(type)])),
    });
  }
  return wanted.map(({ name, type }) => ({
    name,
    type: TypedSearchAttributes.toMetadataType(type),
    status: missing.some((m) => m.name === name) ? 'added' : 'exists',
  }));
}

/** Adds the attributes that are missing on a server we did not start; leaves existing ones alone. */
export async function registerSearchAttributes(address: string, namespace: string): Promise<void> {
  const connection = await Connection.connect({ address });
  try {
    await ensureSearchAttributes(connection, namespace);
  } finally {
    await connection.close();
  }
}
