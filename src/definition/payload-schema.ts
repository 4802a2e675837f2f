/**
 * The payload schema of an `action: wait` event (SPEC §3 rule 17): a small, plain subset of
 * JSON Schema, checked inside the workflow's Update validator, so it must be synchronous,
 * deterministic and free of code generation (no `new Function`, unlike Ajv). Validation
 * refuses any keyword outside the subset, so a schema never silently means less than it says.
 *
 * Keywords: type (a name or a list), properties, required, additionalProperties (boolean
 * or a schema), items, enum, const, minLength, maxLength, pattern, minimum, maximum,
 * minItems, maxItems; title and description are free text.
 */
import { formatPath, joinPath, type PathSegment } from './paths.js';
import type { Problem } from './problems.js';
import { isPlainObject } from './templates.js';

const TYPES = ['object', 'array', 'string', 'number', 'integer', 'boolean', 'null'] as const;
type TypeName = (typeof TYPES)[number];

const NUMBER_KEYWORDS = ['minLength', 'maxLength', 'minimum', 'maximum', 'minItems', 'maxItems'] as const;
const KEYWORDS = [
  'type',
  'properties',
  'required',
  'additionalProperties',
  'items',
  'enum',
  'const',
  'pattern',
  'title',
  'description',
  ...NUMBER_KEYWORDS,
] as const;

/** How many payload errors a rejection names at most. */
const MAX_ERRORS = 10;

/** Every problem of a payload schema written at `path` (e.g. `tasks.approve.with.schema`). */
export function payloadSchemaProblems(schema: unknown, path: string): Problem[] {
  const problems: Problem[] = [];
  check(schema, path, problems);
  return problems;
}

function check(schema: unknown, path: string, problems: Problem[]): void {
  if (!isPlainObject(schema)) {
    problems.push({ path, message: 'a payload schema is a mapping of JSON Schema keywords' });
    return;
  }
  const at = (key: string) => joinPath(path, key);
  for (const [key, value] of Object.entries(schema)) {
    if (!KEYWORDS.some((known) => known === key)) {
      problems.push({ path: at(key), message: `unsupported schema keyword '${key}' (supported: ${KEYWORDS.join(', ')})` });
      continue;
    }
    switch (key) {
      case 'type': {
        const names = Array.isArray(value) ? value : [value];
        if (names.length === 0 || !names.every((name) => TYPES.some((type) => type === name)))
          problems.push({ path: at(key), message: `type is one of ${TYPES.join(', ')}, or a list of them` });
        break;
      }
      case 'properties':
        if (!isPlainObject(value)) problems.push({ path: at(key), message: 'properties maps names to schemas' });
        else for (const [name, member] of Object.entries(value)) check(member, joinPath(at(key), name), problems);
        break;
      case 'required':
        if (!Array.isArray(value) || !value.every((name) => typeof name === 'string'))
          problems.push({ path: at(key), message: 'required is a list of property names' });
        break;
      case 'additionalProperties':
        if (typeof value !== 'boolean') check(value, at(key), problems);
        break;
      case 'items':
        check(value, at(key), problems);
        break;
      case 'enum':
        if (!Array.isArray(value) || value.length === 0)
          problems.push({ path: at(key), message: 'enum is a non-empty list of values' });
        break;
      case 'pattern':
        if (typeof value !== 'string') problems.push({ path: at(key), message: 'pattern is a regular expression text' });
        else {
          try {
            new RegExp(value, 'u');
          } catch (error) {
            problems.push({
              path: at(key),
              message: `invalid pattern: ${error instanceof Error ? error.message : String(error)}`,
            });
          }
        }
        break;
      case 'title':
      case 'description':
        if (typeof value !== 'string') problems.push({ path: at(key), message: `${key} is text` });
        break;
      case 'const':
        break;
      default:
        if (typeof value !== 'number' || !Number.isFinite(value)) problems.push({ path: at(key), message: `${key} is a number` });
    }
  }
}

/**
 * What is wrong with `value` under `schema` (a schema that passed {@link payloadSchemaProblems}),
 * each error naming the field, e.g. `data.amount: expected number, got "ten"`; empty when it fits.
 */
export function payloadErrors(schema: unknown, value: unknown, root = 'data'): string[] {
  const errors: string[] = [];
  validate(schema, value, [root], errors);
  return errors.slice(0, MAX_ERRORS);
}

function validate(schema: unknown, value: unknown, path: PathSegment[], errors: string[]): void {
  if (!isPlainObject(schema) || errors.length >= MAX_ERRORS) return;
  const where = formatPath(path);
  const fail = (message: string) => errors.push(`${where}: ${message}`);
  if (schema.type !== undefined) {
    const names = (Array.isArray(schema.type) ? schema.type : [schema.type]) as TypeName[];
    if (!names.some((name) => hasType(value, name))) {
      fail(`expected ${names.join(' or ')}, got ${describe(value)}`);
      return;
    }
  }
  if (Object.hasOwn(schema, 'const') && !sameJson(value, schema.const)) fail(`must be ${JSON.stringify(schema.const)}`);
  if (Array.isArray(schema.enum) && !schema.enum.some((option) => sameJson(value, option)))
    fail(`must be one of ${schema.enum.map((option) => JSON.stringify(option)).join(', ')}, got ${describe(value)}`);
  if (typeof value === 'string') {
    if (typeof schema.minLength === 'number' && [...value].length < schema.minLength)
      fail(`must be at least ${schema.minLength} characters long`);
    if (typeof schema.maxLength === 'number' && [...value].length > schema.maxLength)
      fail(`must be at most ${schema.maxLength} characters long`);
    if (typeof schema.pattern === 'string' && !new RegExp(schema.pattern, 'u').test(value))
      fail(`must match the pattern ${schema.pattern}`);
  }
  if (typeof value === 'number') {
    if (typeof schema.minimum === 'number' && value < schema.minimum) fail(`must be at least ${schema.minimum}`);
    if (typeof schema.maximum === 'number' && value > schema.maximum) fail(`must be at most ${schema.maximum}`);
  }
  if (Array.isArray(value)) {
    if (typeof schema.minItems === 'number' && value.length < schema.minItems) fail(`needs at least ${schema.minItems} items`);
    if (typeof schema.maxItems === 'number' && value.length > schema.maxItems) fail(`takes at most ${schema.maxItems} items`);
    if (schema.items !== undefined) value.forEach((item, index) => validate(schema.items, item, [...path, index], errors));
  }
  if (isPlainObject(value)) {
    const properties = isPlainObject(schema.properties) ? schema.properties : {};
    if (Array.isArray(schema.required))
      for (const name of schema.required)
        if (typeof name === 'string' && !Object.hasOwn(value, name)) errors.push(`${formatPath([...path, name])}: missing`);
    for (const [name, member] of Object.entries(value)) {
      if (Object.hasOwn(properties, name)) validate(properties[name], member, [...path, name], errors);
      else if (schema.additionalProperties === false) errors.push(`${formatPath([...path, name])}: not allowed here`);
      else if (isPlainObject(schema.additionalProperties)) validate(schema.additionalProperties, member, [...path, name], errors);
    }
  }
}

function hasType(value: unknown, name: TypeName): boolean {
  switch (name) {
    case 'object':
      return isPlainObject(value);
    case 'array':
      return Array.isArray(value);
    case 'string':
      return typeof value === 'string';
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'integer':
      return Number.isInteger(value);
    case 'boolean':
      return typeof value === 'boolean';
    case 'null':
      return value === null;
  }
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (isPlainObject(value)) return 'an object';
  const text = JSON.stringify(value);
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
