/** The examples are documentation: they must validate, point editors at the schema, and the schema must be current. */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadDefinitionText, renderTemplate } from '../../../src/definition/index.js';
import { definitionJsonSchemaText, JSON_SCHEMA_PATH } from '../../../src/definition/json-schema.js';

const repo = fileURLToPath(new URL('../../../', import.meta.url));
const examples = readdirSync(`${repo}examples`)
  .filter((file) => file.endsWith('.yaml'))
  .sort();

describe('examples', () => {
  it('include the documented set', () => {
    expect(examples).toEqual(
      expect.arrayContaining([
        'conditional-loop.yaml',
        'daily-briefing.yaml',
        'fan-out-join.yaml',
        'hello.yaml',
        'join-2-of-3.yaml',
        'machine-report.yaml',
        'monitoring-loop.yaml',
        'retry-with-cycle.yaml',
      ]),
    );
  });

  it.each(examples)('%s validates and names the JSON Schema', (file) => {
    const text = readFileSync(`${repo}examples/${file}`, 'utf8');
    expect(text.split('\n')[0]).toBe('# yaml-language-server: $schema=../schema/switchyard.schema.json');
    const result = loadDefinitionText(text, file);
    expect(result.ok ? [] : result.problems).toEqual([]);
  });

  it('hello.yaml runs only script and noop tasks with plain argv commands', async () => {
    const result = loadDefinitionText(readFileSync(`${repo}examples/hello.yaml`, 'utf8'));
    if (!result.ok) throw new Error('hello.yaml is invalid');
    const allowed = new Set(['echo', 'printf', 'date', 'seq', 'true', 'false', 'sleep', 'cat', 'wc', 'uname']);
    for (const task of Object.values(result.definition.tasks)) {
      expect(['script', 'noop']).toContain(task.action);
      const command: unknown = task.with?.command;
      if (task.action === 'script') {
        expect(Array.isArray(command) && allowed.has(String(command[0]))).toBe(true);
        expect(task.with?.shell).toBeUndefined();
      }
    }
    expect(Object.values(result.definition.tasks).some((task) => task.join !== undefined)).toBe(true);
    const scope = {
      input: { who: 'world' },
      ctx: { os: 'Linux' },
      results: { combine: { stdout: 'Hello, world! It is now on Linux.\n' }, count: { stdout: '1\n2\n3\n' } },
    };
    expect(await renderTemplate(result.definition.output, scope, 'output')).toEqual({
      message: 'Hello, world! It is now on Linux.',
      os: 'Linux',
      counted: [1, 2, 3],
    });
  });
});

describe('JSON Schema', () => {
  it(`${JSON_SCHEMA_PATH} is up to date (run npm run schema)`, () => {
    expect(readFileSync(`${repo}${JSON_SCHEMA_PATH}`, 'utf8')).toBe(definitionJsonSchemaText());
  });
});
