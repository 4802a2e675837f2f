/**
 * The payload schema of an `action: wait` event (SPEC §3 rule 17): the same JSON Schema
 * subset as a definition's `input_schema` (input-schema.ts), checked inside the workflow's
 * Update validator — synchronous, deterministic and free of code generation (no
 * `new Function`, unlike Ajv). Validation refuses any keyword outside the subset, so a
 * schema never silently means less than it says.
 */
import { inputSchemaProblems, schemaValueProblems } from './input-schema.js';
import type { Problem } from './problems.js';
import { isPlainObject } from './templates.js';

/** How many payload errors a rejection names at most. */
const MAX_ERRORS = 10;

/** Every problem of a payload schema written at `path` (e.g. `tasks.approve.with.schema`). */
export function payloadSchemaProblems(schema: unknown, path: string): Problem[] {
  return inputSchemaProblems(schema, path, 'a payload schema');
}

/**
 * What is wrong with `value` under `schema` (a schema that passed {@link payloadSchemaProblems}),
 * each error naming the field, e.g. `data.amount: expected number, got string "ten"`; empty when it fits.
 */
export function payloadErrors(schema: unknown, value: unknown, root = 'data'): string[] {
  if (!isPlainObject(schema)) return [];
  return schemaValueProblems(schema, value, root)
    .slice(0, MAX_ERRORS)
    .map((problem) => `${problem.path}: ${problem.message}`);
}
