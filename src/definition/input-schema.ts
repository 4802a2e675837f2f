/**
 * Typed input (SPEC §3 rule 20): a definition's `input_schema`, a small subset of JSON Schema
 * that every way of starting a run checks the run's input against, naming the bad field.
 *
 * The subset is the keywords in {@link KEYWORDS}; any other keyword is refused by `validate`
 * rather than ignored, so a schema never looks stricter than it is. Defaults stay where they
 * always were, under `input:`; they must match the schema too. At the top level, a key
 * neither `input:` nor `properties` declares is refused (as `--input` always refused one)
 * unless `additionalProperties: true`; nested objects follow JSON Schema (extra keys allowed
 * unless `additionalProperties: false`).
 *
 * Zod-free and deterministic: the interpreter workflow checks a run's input with it at start.
 */
import { joinPath } from './paths.js';
import type { Problem } from './problems.js';
import { isPlainObject } from './templates.js';

/** The JSON types a `type` may name. */
export const INPUT_TYPES = ['string', 'number', 'integer', 'boolean', 'object', 'array', 'null'] as const;
export type InputType = (typeof INPUT_TYPES)[number];

type KeywordCheck = (value: unknown) => string | undefined;

const isCount = (value: unknown) => (Number.isInteger(value) && Number(value) >= 0 ? undefined : 'a whole number of at least 0');
const isNumber = (value: unknown) => (typeof value === 'number' && Number.isFinite(value) ? undefined : 'a number');
const isText = (value: unknown) => (typeof value === 'string' ? undefined : 'a string');
const isTypeName = (value: unknown) => (INPUT_TYPES as readonly unknown[]).includes(value);

/** Every keyword an input_schema may use, and what its value must be (checked by {@link inputSchemaProblems}). */
const KEYWORDS: Readonly<Record<string, KeywordCheck>> = {
  type: (value) =>
    isTypeName(value) || (Array.isArray(value) && value.length > 0 && value.every(isTypeName))
      ? undefined
      : `one of ${INPUT_TYPES.join(', ')}, or a list of them`,
  title: isText,
  description: isText,
  enum: (value) => (Array.isArray(value) && value.length > 0 ? undefined : 'a non-empty list of allowed values'),
  const: () => undefined,
  properties: (value) => (isPlainObject(value) ? undefined : 'a mapping of property names to schemas'),
  required: (value) =>
    Array.isArray(value) && value.every((name) => typeof name === 'string') ? undefined : 'a list of property names',
  additionalProperties: (value) => (typeof value === 'boolean' ? undefined : 'true or false'),
  items: (value) => (isPlainObject(value) ? undefined : 'a schema (a mapping)'),
  minimum: isNumber,
  maximum: isNumber,
  minLength: isCount,
  maxLength: isCount,
  minItems: isCount,
  maxItems: isCount,
  pattern: (value) => {
    if (typeof value !== 'string') return 'a regular expression (a string)';
    try {
      new RegExp(value, 'u');
      return undefined;
    } catch (error) {
      return `a valid regular expression (${(error as Error).message})`;
    }
  },
};

/** The keywords an input_schema may use, for messages and the editor schema. */
export const INPUT_SCHEMA_KEYWORDS = Object.keys(KEYWORDS);

/**
 * Every problem with the declaration itself, at `path` (`input_schema`, `input_schema.properties.limit`…).
 * `what` names the schema in messages: an `action: wait` payload schema is the same subset
 * (payload-schema.ts).
 */
export function inputSchemaProblems(schema: unknown, path = 'input_schema', what = 'input_schema'): Problem[] {
  if (!isPlainObject(schema)) return [{ path, message: 'expected a schema (a mapping of JSON Schema keywords)' }];
  const problems: Problem[] = [];
  for (const [key, value] of Object.entries(schema)) {
    const check = Object.hasOwn(KEYWORDS, key) ? KEYWORDS[key] : undefined;
    const at = joinPath(path, key);
    if (check === undefined) {
      const hint = key === 'default' && what === 'input_schema' ? ': put defaults under the definition’s input:' : '';
      problems.push({
        path: at,
        message: `'${key}' is not supported in ${what}${hint} (use ${INPUT_SCHEMA_KEYWORDS.join(', ')})`,
      });
      continue;
    }
    const wrong = check(value);
    if (wrong !== undefined) problems.push({ path: at, message: `expected ${wrong}` });
  }
  if (isPlainObject(schema.properties))
    for (const [name, member] of Object.entries(schema.properties))
      problems.push(...inputSchemaProblems(member, joinPath(joinPath(path, 'properties'), name), what));
  if (isPlainObject(schema.items)) problems.push(...inputSchemaProblems(schema.items, joinPath(path, 'items'), what));
  if (Array.isArray(schema.required) && isPlainObject(schema.properties)) {
    const declared = schema.properties;
    schema.required.forEach((name, index) => {
      if (typeof name === 'string' && !Object.hasOwn(declared, name))
        problems.push({ path: joinPath(joinPath(path, 'required'), index), message: `'${name}' is not under properties` });
    });
  }
  if (path === 'input_schema' && schema.type !== undefined && schema.type !== 'object')
    problems.push({ path: joinPath(path, 'type'), message: 'the input is a mapping: its schema’s type is object' });
  return problems;
}

/**
 * Every way `input` (the definition's defaults with the run's input over them) breaks the
 * definition's `input_schema`, each at `input.<field>`. `partial`: the defaults alone, which
 * need not hold the required fields (a run gives them).
 */
export function runInputProblems(
  definition: { input?: Record<string, unknown> | undefined; input_schema?: Record<string, unknown> | undefined },
  input: Readonly<Record<string, unknown>>,
  options: { partial?: boolean; path?: string } = {},
): Problem[] {
  const schema = definition.input_schema;
  if (schema === undefined) return [];
  const path = options.path ?? 'input';
  const problems = schemaValueProblems(options.partial === true ? { ...schema, required: [] } : schema, input, path, true);
  if (schema.additionalProperties === true) return problems;
  const declared = new Set(declaredInputs(definition));
  for (const key of Object.keys(input))
    if (!declared.has(key))
      problems.push({ path: joinPath(path, key), message: `not an input of this definition (${declaredText(declared)})` });
  return problems;
}

/**
 * The input keys a definition declares: its `input:` defaults and its input_schema's
 * properties; undefined when its input_schema takes any key (`additionalProperties: true`).
 */
export function declaredInputs(definition: {
  input?: Record<string, unknown> | undefined;
  input_schema?: Record<string, unknown> | undefined;
}): string[] | undefined {
  const schema = definition.input_schema ?? {};
  if (schema.additionalProperties === true) return undefined;
  return [...new Set([...Object.keys(definition.input ?? {}), ...Object.keys(propertiesOf(schema))])];
}

function declaredText(declared: ReadonlySet<string>): string {
  return declared.size === 0 ? 'it declares no input' : `its inputs are ${[...declared].join(', ')}`;
}

function propertiesOf(schema: Record<string, unknown>): Record<string, unknown> {
  return isPlainObject(schema.properties) ? schema.properties : {};
}

/** The JSON type of a value, as a schema's `type` names it. */
function typeOf(value: unknown): InputType | 'other' {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  if (typeof value === 'string' || typeof value === 'boolean') return typeof value as InputType;
  return isPlainObject(value) ? 'object' : 'other';
}

function shown(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}…` : text;
}

/** Structural equality of JSON values (enum, const). */
function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((item, i) => sameJson(item, b[i]));
  if (isPlainObject(a) && isPlainObject(b)) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((key) => Object.hasOwn(b, key) && sameJson(a[key], b[key]));
  }
  return false;
}

/**
 * Every way `value` breaks `schema` (a declaration that passed {@link inputSchemaProblems}), at
 * `path`. With `top` (a run's input), extra keys are left to {@link runInputProblems}.
 */
export function schemaValueProblems(schema: Record<string, unknown>, value: unknown, path: string, top = false): Problem[] {
  const actual = typeOf(value);
  const types = schema.type === undefined ? undefined : ([] as unknown[]).concat(schema.type);
  const fits = (type: unknown) => type === actual || (type === 'number' && actual === 'integer');
  if (types !== undefined && !types.some(fits))
    return [
      {
        path,
        message: `expected ${types.join(' or ')}, got ${actual === 'other' ? typeof value : actual}${actual === 'null' ? '' : ` ${shown(value)}`}`,
      },
    ];
  const problems: Problem[] = [];
  const fail = (message: string) => problems.push({ path, message });
  if (Array.isArray(schema.enum) && !schema.enum.some((allowed) => sameJson(allowed, value)))
    fail(`${shown(value)} is not one of ${schema.enum.map(shown).join(', ')}`);
  if (schema.const !== undefined && !sameJson(schema.const, value)) fail(`expected ${shown(schema.const)}, got ${shown(value)}`);
  if (typeof value === 'string') {
    const length = [...value].length;
    if (typeof schema.minLength === 'number' && length < schema.minLength)
      fail(`at least ${schema.minLength} characters, got ${length}`);
    if (typeof schema.maxLength === 'number' && length > schema.maxLength)
      fail(`at most ${schema.maxLength} characters, got ${length}`);
    if (typeof schema.pattern === 'string' && !new RegExp(schema.pattern, 'u').test(value))
      fail(`${shown(value)} does not match the pattern ${schema.pattern}`);
  }
  if (typeof value === 'number') {
    if (typeof schema.minimum === 'number' && value < schema.minimum) fail(`at least ${schema.minimum}, got ${value}`);
    if (typeof schema.maximum === 'number' && value > schema.maximum) fail(`at most ${schema.maximum}, got ${value}`);
  }
  if (Array.isArray(value)) {
    if (typeof schema.minItems === 'number' && value.length < schema.minItems)
      fail(`at least ${schema.minItems} items, got ${value.length}`);
    if (typeof schema.maxItems === 'number' && value.length > schema.maxItems)
      fail(`at most ${schema.maxItems} items, got ${value.length}`);
    if (isPlainObject(schema.items)) {
      const items = schema.items;
      value.forEach((item, index) => problems.push(...schemaValueProblems(items, item, joinPath(path, index))));
    }
  }
  if (isPlainObject(value)) {
    const properties = propertiesOf(schema);
    if (Array.isArray(schema.required))
      for (const name of schema.required)
        if (typeof name === 'string' && !Object.hasOwn(value, name))
          problems.push({ path: joinPath(path, name), message: 'missing (required)' });
    for (const [name, member] of Object.entries(value)) {
      const memberSchema = Object.hasOwn(properties, name) ? properties[name] : undefined;
      if (isPlainObject(memberSchema)) problems.push(...schemaValueProblems(memberSchema, member, joinPath(path, name)));
      // The top level's extra keys are judged by runInputProblems, which also knows the defaults.
      else if (schema.additionalProperties === false && !top)
        problems.push({
          path: joinPath(path, name),
          message: `not allowed here (declared: ${Object.keys(properties).join(', ') || 'none'})`,
        });
    }
  }
  return problems;
}

/** The JSON Schema of an input_schema, for editors (json-schema.ts): the same keywords and types. */
export function inputSchemaJsonSchema(): Record<string, unknown> {
  const ref = { $ref: '#/$defs/InputSchema' };
  const types = { enum: [...INPUT_TYPES] };
  const count = { type: 'integer', minimum: 0 };
  return {
    $defs: {
      InputSchema: {
        type: 'object',
        description: 'A JSON Schema subset for the run input (SPEC rule 20)',
        additionalProperties: false,
        properties: {
          type: { anyOf: [types, { type: 'array', items: types, minItems: 1 }] },
          title: { type: 'string' },
          description: { type: 'string' },
          enum: { type: 'array', minItems: 1 },
          const: {},
          properties: { type: 'object', additionalProperties: ref },
          required: { type: 'array', items: { type: 'string' } },
          additionalProperties: { type: 'boolean' },
          items: ref,
          minimum: { type: 'number' },
          maximum: { type: 'number' },
          minLength: count,
          maxLength: count,
          minItems: count,
          maxItems: count,
          pattern: { type: 'string', format: 'regex' },
        },
      },
    },
  };
}
