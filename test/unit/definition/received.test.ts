/**
 * The interpreter's zod-free check of a received definition (received.ts, structure.ts)
 * against the client's full validation: they agree on every example and fixture, and the
 * definition the workflow runs is exactly the one the client validated.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  checkReceived,
  DefinitionSchema,
  FailureNotifySchema,
  OnFailureSchema,
  RetrySchema,
  TaskSchema,
  TransitionSchema,
  validateDefinition,
} from '../../../src/definition/index.js';
import { KNOWN_KEYS } from '../../../src/definition/structure.js';

const read = (url: URL): unknown => parse(readFileSync(url, 'utf8'));
const yamlIn = (url: URL): URL[] =>
  readdirSync(url)
    .filter((file) => file.endsWith('.yaml'))
    .sort()
    .map((file) => new URL(file, url));
const examples = yamlIn(new URL('../../../examples/', import.meta.url));
const valid = yamlIn(new URL('../../fixtures/definitions/valid/', import.meta.url));
const invalid = yamlIn(new URL('../../fixtures/definitions/invalid/', import.meta.url));
const name = (url: URL): string => url.pathname.split('/').slice(-2).join('/');

describe('checkReceived: the interpreter reads what the client validated', () => {
  it.each([...examples, ...valid].map((url) => [name(url), url] as const))('%s: same definition and graph', (_, url) => {
    const value = read(url);
    const full = validateDefinition(value);
    const received = checkReceived(value);
    expect(full.ok).toBe(true);
    expect(received).toEqual(full);
  });

  /**
   * Invalid only by checks the client makes before a run starts and the interpreter does
   * not (so that runs started before them still replay): templates in code and secret
   * routes, which it runs as literal text (definition/trust.ts), and a `with.timeout` longer
   * than the task's, and `with` checked against the activities' schemas (definition/with.ts).
   */
  const CLIENT_ONLY = [
    'templates-in-literal-fields.yaml',
    'with-timeout-longer-than-task.yaml',
    'bad-with.yaml',
    'agent-provider.yaml',
  ];

  it.each(invalid.map((url) => [name(url), url] as const))('%s: refused too', (file, url) => {
    let value: unknown;
    try {
      value = read(url);
    } catch {
      return; // YAML syntax: the loader's to report, nothing reaches a workflow
    }
    if (CLIENT_ONLY.some((known) => file.endsWith(known))) expect(checkReceived(value).ok).toBe(true);
    else expect(checkReceived(value)).toMatchObject({ ok: false });
  });

  it('names the field and what it expected, for every field of the wrong shape at once', () => {
    const received = checkReceived({
      version: 2,
      name: 'bad name',
      on_failure: { notify: { content: 7 } },
      tasks: {
        a: {
          action: 'shell',
          next: [{ do: [1], whn: 'failed' }, 'x'],
          retry: { backoff: 0.5, maximum_attempts: -1 },
          join: 'some',
        },
        b: { with: [] },
      },
    });
    expect(received.ok).toBe(false);
    const problems = received.ok ? [] : received.problems.map((problem) => `${problem.path}: ${problem.message}`);
    expect(problems).toEqual(
      expect.arrayContaining([
        'version: expected 1, got number 2',
        'name: letters, digits, _ . - only',
        'on_failure.notify.to: missing: the delivery target',
        'on_failure.notify.content: expected a string, got number 7',
        'tasks.a.action: expected one of script, agent, deliver, http, noop, wait, graph, got string "shell"',
        'tasks.a.next[0].do: expected a task name or a list of them, got a list',
        'tasks.a.next[1]: expected a mapping, got string "x"',
        'tasks.a.retry.backoff: expected a number of at least 1, got number 0.5',
        'tasks.a.retry.maximum_attempts: expected a whole number of at least 0, got number -1',
        "tasks.a.join: expected 'all', 'first' or a whole number of at least 1, got string \"some\"",
        'tasks.b.action: missing: one of script, agent, deliver, http, noop, wait, graph',
        'tasks.b.with: expected a mapping, got a list',
        "tasks.a.next[0].whn: unknown key 'whn' (did you mean 'when'?)",
      ]),
    );
  });

  it('knows the same keys as the zod schema at every level, so a misspelt key is never read past', () => {
    const [, onFailureObject] = OnFailureSchema.options;
    expect(KNOWN_KEYS).toEqual({
      definition: Object.keys(DefinitionSchema.shape),
      task: Object.keys(TaskSchema.shape),
      transition: Object.keys(TransitionSchema.shape),
      retry: Object.keys(RetrySchema.shape),
      onFailure: Object.keys(onFailureObject.shape),
      notify: Object.keys(FailureNotifySchema.shape),
    });
  });

  it('refuses task names every JavaScript object already has (they would read as inherited values)', () => {
    for (const taskName of ['constructor', 'toString', 'valueOf', 'hasOwnProperty']) {
      const value = { version: 1, name: 'proto', tasks: { [taskName]: { action: 'noop' } } };
      for (const result of [checkReceived(value), validateDefinition(value)]) {
        expect(result).toMatchObject({ ok: false, problems: [{ path: `tasks.${taskName}` }] });
      }
    }
  });

  it('refuses what is not a definition at all', () => {
    for (const value of [null, 'tasks', [], 42]) expect(checkReceived(value)).toMatchObject({ ok: false });
  });
});
