/**
 * SPEC §3 rule 20, typed input: `validate` checks an input_schema and the `input:` defaults
 * against it; `run` (checkRunInput) and the interpreter (runInputProblems, in the workflow)
 * refuse input that breaks it, naming each bad field.
 */
import { describe, expect, it } from 'vitest';
import { checkRunInput } from '../../../src/cli/runs.js';
import { UsageError } from '../../../src/cli/errors.js';
import { checkReceived, loadDefinitionText, type Definition } from '../../../src/definition/index.js';
import {
  INPUT_SCHEMA_KEYWORDS,
  inputSchemaJsonSchema,
  inputSchemaProblems,
  runInputProblems,
} from '../../../src/definition/input-schema.js';
import { definitionJsonSchema } from '../../../src/definition/json-schema.js';

const TYPED = `version: 1
name: typed
input: { limit: 5 }
input_schema:
  required: [topic]
  properties:
    topic: { type: string, minLength: 1 }
    limit: { type: integer, minimum: 1, maximum: 20 }
    mode: { enum: [brief, full] }
    tags: { type: array, items: { type: string, pattern: "^[a-z]+$" }, maxItems: 3 }
    owner:
      type: object
      required: [email]
      additionalProperties: false
      properties: { email: { type: string }, team: { type: [string, "null"] } }
tasks:
  a: { action: noop }
`;

function typed(): Definition {
  const result = loadDefinitionText(TYPED, 'typed.yaml');
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.definition;
}

const problemsOf = (input: Record<string, unknown>) =>
  runInputProblems(typed(), { ...typed().input, ...input }).map((p) => `${p.path}: ${p.message}`);

describe('run input against input_schema', () => {
  it('takes input that matches, with the defaults filling what the run leaves out', () => {
    expect(problemsOf({ topic: 'chips' })).toEqual([]);
    expect(
      problemsOf({ topic: 'chips', limit: 20, mode: 'full', tags: ['a', 'b'], owner: { email: 'x@y', team: null } }),
    ).toEqual([]);
  });

  it('names every bad field with its path and what it expected', () => {
    expect(
      problemsOf({
        limit: '5',
        mode: 'long',
        tags: ['ok', 'NO', 'b', 'c'],
        owner: { team: 7, extra: true },
      }),
    ).toEqual([
      'input.topic: missing (required)',
      'input.limit: expected integer, got string "5"',
      'input.mode: "long" is not one of "brief", "full"',
      'input.tags: at most 3 items, got 4',
      'input.tags[1]: "NO" does not match the pattern ^[a-z]+$',
      'input.owner.email: missing (required)',
      'input.owner.team: expected string or null, got integer 7',
      'input.owner.extra: not allowed here (declared: email, team)',
    ]);
    expect(problemsOf({ topic: '', limit: 21.5 })).toEqual([
      'input.limit: expected integer, got number 21.5',
      'input.topic: at least 1 characters, got 0',
    ]);
  });

  it('refuses a top-level key nobody declared, unless additionalProperties: true', () => {
    expect(problemsOf({ topic: 'x', topci: 'y' })).toEqual([
      'input.topci: not an input of this definition (its inputs are limit, topic, mode, tags, owner)',
    ]);
    const open = { ...typed(), input_schema: { ...typed().input_schema, additionalProperties: true } };
    expect(runInputProblems(open, { topic: 'x', anything: 1 })).toEqual([]);
  });

  it('switchyard run: a usage error naming the bad fields (and the keys it knows for a misspelt one)', () => {
    expect(() => checkRunInput(typed(), { topic: 'x', limit: 'many' })).toThrow(UsageError);
    expect(() => checkRunInput(typed(), { topic: 'x', limit: 'many' })).toThrow(
      '--input: the run input does not match the input_schema of \'typed\': input.limit: expected integer, got string "many"',
    );
    expect(() => checkRunInput(typed(), {})).toThrow(/input\.topic: missing \(required\)/);
    expect(() => checkRunInput(typed(), { topci: 'x' })).toThrow(
      /--input topci: not an input of 'typed' \(its inputs are limit, topic, mode, tags, owner\); declare it under input: or input_schema\.properties/,
    );
  });
});

describe('validate: the declaration and the defaults', () => {
  const problems = (text: string) => {
    const result = loadDefinitionText(text, 'x.yaml');
    return result.ok ? [] : result.problems.map((p) => `${p.line ?? '?'} ${p.path}: ${p.message}`);
  };

  it('refuses unknown keywords (default included, with where defaults go), bad values and undeclared required names', () => {
    const text = `version: 1
name: bad-schema
input_schema:
  type: object
  required: [topic, ghost]
  properties:
    topic: { type: text, default: x }
    limit: { type: integer, minimum: low, format: int32 }
    code: { type: string, pattern: "([a-z" }
tasks: { a: { action: noop } }
`;
    expect(problems(text)).toEqual([
      "5 input_schema.required[1]: 'ghost' is not under properties",
      '7 input_schema.properties.topic.type: expected one of string, number, integer, boolean, object, array, null, or a list of them',
      "7 input_schema.properties.topic.default: 'default' is not supported in input_schema: put defaults under the definition’s input: (use " +
        `${INPUT_SCHEMA_KEYWORDS.join(', ')})`,
      '8 input_schema.properties.limit.minimum: expected a number',
      `8 input_schema.properties.limit.format: 'format' is not supported in input_schema (use ${INPUT_SCHEMA_KEYWORDS.join(', ')})`,
      expect.stringMatching(/^9 input_schema\.properties\.code\.pattern: expected a valid regular expression/) as string,
    ]);
    expect(inputSchemaProblems({ type: 'array' })).toEqual([
      { path: 'input_schema.type', message: 'the input is a mapping: its schema’s type is object' },
    ]);
  });

  it('checks the input: defaults against the schema, at their own lines', () => {
    const text = `version: 1
name: bad-defaults
input:
  limit: lots
input_schema:
  required: [limit]
  properties: { limit: { type: integer } }
tasks: { a: { action: noop } }
`;
    expect(problems(text)).toEqual(['4 input.limit: expected integer, got string "lots"']);
  });

  it('the interpreter reads input_schema too, and refuses a broken one (it runs the same checks)', () => {
    const received = checkReceived({
      version: 1,
      name: 'x',
      input_schema: { properties: { a: { type: 'text' } } },
      tasks: { a: { action: 'noop' } },
    });
    expect(received.ok).toBe(false);
    const ok = checkReceived({
      version: 1,
      name: 'x',
      input_schema: { properties: { a: { type: 'string' } } },
      tasks: { a: { action: 'noop' } },
    });
    expect(ok.ok && ok.definition.input_schema).toEqual({ properties: { a: { type: 'string' } } });
  });

  it('a schedule block’s input must match the schema whole', () => {
    const text = `${TYPED}schedule:
  every: 1h
  input: { limit: 0 }
`;
    expect(problems(text)).toEqual(['20 schedule.input.topic: missing (required)', '20 schedule.input.limit: at least 1, got 0']);
  });
});

describe('editor schema', () => {
  it('offers exactly the keywords the checker takes, for input_schema and its nested schemas', () => {
    const defs = inputSchemaJsonSchema().$defs as Record<string, { properties: Record<string, unknown> }>;
    expect(Object.keys(defs.InputSchema?.properties ?? {})).toEqual(INPUT_SCHEMA_KEYWORDS);
    const schema = definitionJsonSchema() as { properties: Record<string, unknown>; $defs: Record<string, unknown> };
    expect(schema.properties.input_schema).toMatchObject({ $ref: '#/$defs/InputSchema' });
    expect(schema.$defs.InputSchema).toBeDefined();
  });
});
