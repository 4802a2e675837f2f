/**
 * The definition side of `action: wait` (SPEC §3 rule 17) and `join: first` (rule 18): what
 * `validate` and the interpreter's own check refuse, with paths, and the payload schema
 * subset the run's Update validator judges events by.
 */
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { buildContext } from '../../../src/conductor/index.js';
import { checkReceived, payloadErrors, validateDefinition } from '../../../src/definition/index.js';

function problemsOf(yaml: string): string[] {
  const result = validateDefinition(parse(`version: 1\nname: w\n${yaml}`));
  return result.ok ? [] : result.problems.map((problem) => `${problem.path}: ${problem.message}`);
}

/** The interpreter's check must refuse what validate refuses for waits (it runs the same static checks). */
function receivedProblems(yaml: string): string[] {
  const result = checkReceived(parse(`version: 1\nname: w\n${yaml}`));
  return result.ok ? [] : result.problems.map((problem) => `${problem.path}: ${problem.message}`);
}

describe('action: wait in a definition (rule 17)', () => {
  it('accepts an event name, a payload schema and a timeout', () => {
    const yaml = `
tasks:
  approval:
    action: wait
    timeout: 1h
    with:
      event: approve
      schema:
        type: object
        required: [by]
        properties: { by: { type: string, minLength: 1 }, note: { type: [string, "null"] } }
        additionalProperties: false
`;
    expect(problemsOf(yaml)).toEqual([]);
    expect(receivedProblems(yaml)).toEqual([]);
  });

  it('refuses a template in the event or schema: run data never picks what a wait accepts (hostile input)', () => {
    const yaml = `
input: { name: approve }
tasks:
  approval: { action: wait, with: { event: "{{ input.name }}" } }
  other: { action: wait, with: { event: ok, schema: { enum: ["{{ input.name }}"] } } }
`;
    const expected = [
      "tasks.approval.with: a wait's event and schema are never rendered from run data: write them literally",
      "tasks.other.with: a wait's event and schema are never rendered from run data: write them literally",
    ];
    for (const problems of [problemsOf(yaml), receivedProblems(yaml)])
      for (const line of expected) expect(problems).toContain(line);
  });

  it('names a missing event, a bad or reserved name, unknown keys and activity-only fields', () => {
    const problems = problemsOf(`
tasks:
  a: { action: wait, with: { schema: { type: object } } }
  b: { action: wait, with: { event: "9lives" } }
  c: { action: wait, with: { event: pause } }
  d: { action: wait, with: { event: ok, evnt: x } }
  e: { action: wait, items: "[1]", retry: { maximum_attempts: 2 }, with: { event: ok } }
  f: { action: wait }
`);
    expect(problems).toEqual(
      expect.arrayContaining([
        'tasks.a.with.event: missing: the event name to wait for',
        "tasks.b.with.event: invalid event name '9lives': use letters, digits, _ and -, not starting with a digit or -",
        expect.stringContaining("tasks.c.with.event: 'pause' is reserved for the run's own controls"),
        "tasks.d.with.evnt: unknown key 'evnt' (did you mean 'event'?)",
        'tasks.e.items: a wait task runs no activity and no fan-out: remove items',
        'tasks.e.retry: a wait task runs no activity and no fan-out: remove retry',
        'tasks.f.with: a wait task needs with: { event: NAME }',
      ]),
    );
  });

  it('refuses schema keywords outside the supported subset, and malformed ones, at their path', () => {
    expect(
      problemsOf(`
tasks:
  a:
    action: wait
    with:
      event: ok
      schema:
        type: obj
        oneOf: []
        properties: { n: { minimum: low }, s: { pattern: "(" } }
        required: by
`),
    ).toEqual(
      expect.arrayContaining([
        'tasks.a.with.schema.type: expected one of string, number, integer, boolean, object, array, null, or a list of them',
        expect.stringContaining("tasks.a.with.schema.oneOf: 'oneOf' is not supported in a payload schema"),
        'tasks.a.with.schema.properties.n.minimum: expected a number',
        expect.stringContaining('tasks.a.with.schema.properties.s.pattern: expected a valid regular expression'),
        'tasks.a.with.schema.required: expected a list of property names',
      ]),
    );
  });
});

describe('payloadErrors: the Update validator’s check of an event payload', () => {
  const schema = {
    type: 'object',
    required: ['by', 'amount'],
    properties: {
      by: { type: 'string', minLength: 2, pattern: '^[a-z]+$' },
      amount: { type: 'integer', minimum: 1, maximum: 10 },
      tags: { type: 'array', items: { enum: ['a', 'b'] }, maxItems: 2 },
    },
    additionalProperties: false,
  };

  it('accepts a payload that fits', () => {
    expect(payloadErrors(schema, { by: 'ann', amount: 3, tags: ['a'] })).toEqual([]);
  });

  it('names every bad field with what it expected', () => {
    expect(payloadErrors(schema, { by: 'A', amount: 'ten', tags: ['a', 'c', 'b'], extra: 1 })).toEqual([
      'data.by: at least 2 characters, got 1',
      'data.by: "A" does not match the pattern ^[a-z]+$',
      'data.amount: expected integer, got string "ten"',
      'data.tags: at most 2 items, got 3',
      'data.tags[1]: "c" is not one of "a", "b"',
      'data.extra: not allowed here (declared: by, amount, tags)',
    ]);
    expect(payloadErrors(schema, { by: 'ann' })).toEqual(['data.amount: missing (required)']);
    expect(payloadErrors(schema, null)).toEqual(['data: expected object, got null']);
  });

  it('a schema-less wait takes any payload; const and type lists work', () => {
    expect(payloadErrors({ const: true }, false)).toEqual(['data: expected true, got false']);
    expect(payloadErrors({ type: ['string', 'null'] }, null)).toEqual([]);
    expect(payloadErrors({ type: ['string', 'null'] }, 3)).toEqual(['data: expected string or null, got integer 3']);
  });
});

describe('join: first (rule 18)', () => {
  it('is a join of one, whose race branches part where the sources part', () => {
    const valid = checkReceived(
      parse(`
version: 1
name: r
tasks:
  root: { action: noop, next: [{ do: [a, c] }] }
  a: { action: noop, next: [{ do: [b] }] }
  b: { action: noop, next: [{ do: [pick] }] }
  c: { action: noop, next: [{ do: [pick] }] }
  pick: { action: noop, join: first }
`),
    );
    if (!valid.ok) throw new Error('invalid');
    expect(valid.graph.joinRequirement.pick).toBe(1);
    const context = buildContext({ ...valid, workflow: { id: 'w', runId: 'r' } });
    expect(context.tasks.pick?.join?.race).toEqual({ b: ['b', 'a'], c: ['c'] });
  });

  it('refuses other words', () => {
    expect(problemsOf(`tasks:\n  a: { action: noop, next: [{ do: [b] }] }\n  b: { action: noop, join: last }\n`)).toEqual(
      expect.arrayContaining([expect.stringContaining('tasks.b.join')]),
    );
  });
});
