/**
 * Turns zod issues into {@link Problem}s a definition author can act on: a path written the
 * way they would write it, and a plain message ("unknown key 'wen' (did you mean 'when'?)").
 */
import { z } from 'zod';
import { formatPath, type PathSegment } from './paths.js';
import type { Problem } from './problems.js';
import { didYouMean } from './suggest.js';

type Issue = z.core.$ZodIssue;

function segmentsOf(path: readonly PropertyKey[]): PathSegment[] {
  return path.map((key) => (typeof key === 'number' ? key : String(key)));
}

/** The value found at `segments` inside `root`, or undefined. */
function valueAt(root: unknown, segments: readonly PathSegment[]): unknown {
  let value = root;
  for (const segment of segments) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = Object.getOwnPropertyDescriptor(value, segment)?.value;
  }
  return value;
}

/** The object schemas a value at `segments` may be checked against, found by walking the schema. */
function objectSchemasAt(schema: z.core.$ZodType, segments: readonly PathSegment[]): z.ZodObject[] {
  if (schema instanceof z.ZodOptional) return objectSchemasAt(schema.unwrap(), segments);
  if (schema instanceof z.ZodUnion) return schema.options.flatMap((option: z.core.$ZodType) => objectSchemasAt(option, segments));
  const [head, ...rest] = segments;
  if (head === undefined) return schema instanceof z.ZodObject ? [schema] : [];
  if (schema instanceof z.ZodObject && typeof head === 'string') {
    const field: unknown = schema.shape[head];
    return field instanceof z.ZodType ? objectSchemasAt(field, rest) : [];
  }
  if (schema instanceof z.ZodRecord) return objectSchemasAt(schema.valueType, rest);
  if (schema instanceof z.ZodArray) return objectSchemasAt(schema.element, rest);
  return [];
}

function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return `the string '${value.length > 40 ? `${value.slice(0, 40)}…` : value}'`;
  return `${typeof value} ${String(value)}`;
}

const EXPECTED_WORDS: Record<string, string> = {
  object: 'a mapping',
  record: 'a mapping',
  array: 'a list',
  string: 'a string',
  number: 'a number',
  int: 'an integer',
  boolean: 'true or false',
};

function expectedOf(issue: Issue): string | undefined {
  if (issue.code === 'invalid_type') return EXPECTED_WORDS[issue.expected] ?? issue.expected;
  if (issue.code === 'invalid_value') return issue.values.map((value) => JSON.stringify(value)).join(' or ');
  if (issue.code === 'too_small' && issue.origin === 'number' && issue.minimum === 0 && issue.inclusive !== true) {
    return 'a positive number';
  }
  return undefined;
}

/** Maps every zod issue to problems; `root` is the parsed input, `schema` what it was checked against. */
export function zodProblems(
  issues: readonly Issue[],
  root: unknown,
  schema: z.core.$ZodType,
  prefix: PathSegment[] = [],
): Problem[] {
  return issues.flatMap((issue) => issueProblems(issue, root, schema, [...prefix, ...segmentsOf(issue.path)]));
}

/** Fields written as durations; a bare number there gets the "write a unit" advice. */
const DURATION_KEYS = new Set(['delay', 'timeout', 'heartbeat', 'initial_interval', 'maximum_interval']);

function isMissingKey(root: unknown, at: readonly PathSegment[]): boolean {
  const parent = valueAt(root, at.slice(0, -1));
  const key = at.at(-1);
  return typeof key === 'string' && typeof parent === 'object' && parent !== null && !Object.hasOwn(parent, key);
}

function issueProblems(issue: Issue, root: unknown, schema: z.core.$ZodType, at: PathSegment[]): Problem[] {
  const path = formatPath(at);
  const value = valueAt(root, at);
  const mismatch = issue.code === 'invalid_type' || issue.code === 'invalid_value' || issue.code === 'invalid_union';
  if (mismatch && value === undefined && isMissingKey(root, at)) {
    return [{ path, message: `missing required key '${String(at.at(-1))}'` }];
  }
  const key = at.at(-1);
  if (issue.code === 'invalid_type' && typeof value === 'number' && typeof key === 'string' && DURATION_KEYS.has(key)) {
    return [{ path, message: `duration ${value} has no unit: write a unit, e.g. ${value}s` }];
  }
  switch (issue.code) {
    case 'unrecognized_keys': {
      const known = objectSchemasAt(schema, at).flatMap((object) => Object.keys(object.shape));
      return issue.keys.map((key) => ({
        path: formatPath([...at, key]),
        message: `unknown key '${key}'${didYouMean(key, known)}`,
      }));
    }
    case 'invalid_type': {
      return [{ path, message: `expected ${expectedOf(issue) ?? issue.expected}, got ${describeValue(value)}` }];
    }
    case 'invalid_value': {
      const allowed = issue.values.map((item) => String(item));
      if (at.at(-1) === 'action' && typeof value === 'string') {
        return [{ path, message: `unknown action '${value}'${didYouMean(value, allowed)}; use one of ${allowed.join(', ')}` }];
      }
      const hint = typeof value === 'string' ? didYouMean(value, allowed) : '';
      return [{ path, message: `expected ${expectedOf(issue) ?? 'another value'}, got ${describeValue(value)}${hint}` }];
    }
    case 'invalid_union':
      return unionProblems(issue, root, schema, at, path, value);
    case 'too_small':
      return [{ path, message: `must be ${issue.inclusive === true ? 'at least' : 'more than'} ${String(issue.minimum)}` }];
    case 'too_big':
      return [{ path, message: `must be ${issue.inclusive === true ? 'at most' : 'less than'} ${String(issue.maximum)}` }];
    default:
      return [{ path, message: issue.message }];
  }
}

/**
 * A union fails when no branch fits. For a mapping or list the author clearly chose the
 * structured branch, so its own issues say more; for a scalar, list what was allowed.
 */
function unionProblems(
  issue: Extract<Issue, { code: 'invalid_union' }>,
  root: unknown,
  schema: z.core.$ZodType,
  at: PathSegment[],
  path: string,
  value: unknown,
): Problem[] {
  const branches = issue.errors;
  if (typeof value === 'object' && value !== null) {
    const deeper = branches.find((branch) => branch.some((inner) => inner.path.length > 0 || inner.code === 'unrecognized_keys'));
    if (deeper !== undefined) return zodProblems(deeper, root, schema, at);
  }
  const expected = branches.flatMap((branch) => branch.map(expectedOf)).filter((text) => text !== undefined);
  const unique = [...new Set(expected)];
  return [
    { path, message: `expected ${unique.length > 0 ? unique.join(' or ') : 'another value'}, got ${describeValue(value)}` },
  ];
}
