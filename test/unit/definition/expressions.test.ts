import { describe, expect, it } from 'vitest';
import {
  checkTemplates,
  compileExpression,
  compiledExpressionCount,
  evaluateWhen,
  ExpressionError,
  jsonataBoolean,
  parseTemplate,
  renderTemplate,
  type Scope,
} from '../../../src/definition/expressions.js';

const scope: Scope = {
  input: { topic: 'AI', n: 2 },
  ctx: { news: 'hello', count: 3, list: [1, 2, 3], nested: { a: 1 } },
  result: { stdout: 'out\n' },
  results: { fetch: { stdout: 'fetched' } },
  task: { name: 'fetch', attempt: 1, iteration: 0 },
  workflow: { id: 'wf-1', runId: 'run-1', startTime: '2025-01-01T00:00:00Z' },
};

describe('parseTemplate', () => {
  it('splits text and expressions', () => {
    expect(parseTemplate('a {{ x }} b', 'p').parts).toEqual([
      { kind: 'text', text: 'a ' },
      { kind: 'expression', source: 'x' },
      { kind: 'text', text: ' b' },
    ]);
  });

  it('marks a string that is exactly one expression, whitespace allowed', () => {
    expect(parseTemplate('  {{ ctx.count }} ', 'p').single).toBe('ctx.count');
    expect(parseTemplate('{{ a }}{{ b }}', 'p').single).toBeUndefined();
    expect(parseTemplate('x{{ a }}', 'p').single).toBeUndefined();
    expect(parseTemplate('no braces', 'p').single).toBeUndefined();
  });

  it('finds the right closing braces around object constructors and strings', () => {
    expect(parseTemplate('{{ {"a": {"b": "}}"}} }}', 'p').single).toBe('{"a": {"b": "}}"}}');
  });

  it('rejects an unclosed or empty expression with the path', () => {
    expect(() => parseTemplate('x {{ y', 'tasks.a.with.x')).toThrow(/tasks\.a\.with\.x: '\{\{' without a closing/);
    expect(() => parseTemplate('{{   }}', 'p')).toThrow(ExpressionError);
  });
});

describe('renderTemplate', () => {
  it('yields the raw value for a string that is exactly one expression', async () => {
    expect(await renderTemplate('{{ ctx.count }}', scope, 'p')).toBe(3);
    expect(await renderTemplate(' {{ ctx.nested }} ', scope, 'p')).toEqual({ a: 1 });
    expect(await renderTemplate('{{ ctx.list }}', scope, 'p')).toEqual([1, 2, 3]);
    expect(await renderTemplate('{{ ctx.missing }}', scope, 'p')).toBeUndefined();
    expect(await renderTemplate('{{ ctx.count > 2 }}', scope, 'p')).toBe(true);
  });

  it('splices values into text: strings as-is, scalars as text, objects as JSON, nothing as empty', async () => {
    expect(
      await renderTemplate(
        'n={{ ctx.count }} ok={{ true }} s={{ ctx.news }} o={{ ctx.nested }} l={{ ctx.list }} u=[{{ ctx.nope }}]',
        scope,
        'p',
      ),
    ).toBe('n=3 ok=true s=hello o={"a":1} l=[1,2,3] u=[]');
  });

  it('renders objects and arrays deep and leaves non-strings alone', async () => {
    const rendered = await renderTemplate(
      { command: ['echo', '{{ input.topic }}', 7], env: { N: '{{ input.n * 2 }}' }, flag: true, none: null },
      scope,
      'tasks.fetch.with',
    );
    expect(rendered).toEqual({ command: ['echo', 'AI', 7], env: { N: 4 }, flag: true, none: null });
  });

  it('returns plain arrays, without JSONata sequence markers', async () => {
    const value = await renderTemplate('{{ ctx.list.($ * 10) }}', scope, 'p');
    expect(value).toEqual([10, 20, 30]);
    expect(Array.isArray(value) && Object.keys(value)).toEqual(['0', '1', '2']);
  });

  it('sees every scope name both as a path and as a $variable', async () => {
    const names =
      '{{ [input.topic, $input.topic, ctx.news, $ctx.news, $trim(result.stdout), results.fetch.stdout, task.name, $task.attempt, workflow.runId, $workflow.id] }}';
    expect(await renderTemplate(names, scope, 'p')).toEqual([
      'AI',
      'AI',
      'hello',
      'hello',
      'out',
      'fetched',
      'fetch',
      1,
      'run-1',
      'wf-1',
    ]);
    expect(await renderTemplate('{{ $ctx.list[$ > $index] }}', { ...scope, item: 'x', index: 1 }, 'p')).toEqual([2, 3]);
    expect(await renderTemplate('{{ item & "#" & index }}', { ...scope, item: 'x', index: 1 }, 'p')).toBe('x#1');
  });

  it('reports a runtime error with the path of the failing value', async () => {
    const failing = renderTemplate({ command: ['echo', '{{ $notAFunction() }}'] }, scope, 'tasks.fetch.with');
    await expect(failing).rejects.toBeInstanceOf(ExpressionError);
    await expect(failing).rejects.toMatchObject({ path: 'tasks.fetch.with.command[1]', expression: '$notAFunction()' });
    await expect(failing).rejects.toThrow(/^tasks\.fetch\.with\.command\[1\]: .*non-function/);
  });
});

describe('evaluateWhen', () => {
  it('treats a missing when as succeeded', async () => {
    expect(await evaluateWhen(undefined, 'succeeded', scope, 'w')).toBe(true);
    expect(await evaluateWhen(undefined, 'failed', scope, 'w')).toBe(false);
  });

  it.each([
    ['succeeded', 'succeeded', true],
    ['succeeded', 'failed', false],
    ['failed', 'failed', true],
    ['failed', 'succeeded', false],
    ['completed', 'succeeded', true],
    ['completed', 'failed', true],
  ] as const)('keyword %s on %s is %s', async (when, status, holds) => {
    expect(await evaluateWhen(when, status, scope, 'w')).toBe(holds);
  });

  it('evaluates expressions, with or without {{ }}', async () => {
    expect(await evaluateWhen('ctx.count > 2', 'succeeded', scope, 'w')).toBe(true);
    expect(await evaluateWhen('{{ ctx.count > 5 }}', 'succeeded', scope, 'w')).toBe(false);
  });

  it('lets an expression tell the outcomes apart', async () => {
    expect(await evaluateWhen('failed and ctx.count = 3', 'failed', scope, 'w')).toBe(true);
    expect(await evaluateWhen('failed and ctx.count = 3', 'succeeded', scope, 'w')).toBe(false);
    expect(await evaluateWhen('$succeeded', 'succeeded', scope, 'w')).toBe(true);
    expect(await evaluateWhen('task.status = "failed"', 'failed', scope, 'w')).toBe(true);
  });

  it('casts values with JSONata boolean rules', async () => {
    expect(await evaluateWhen('ctx.news', 'succeeded', scope, 'w')).toBe(true);
    expect(await evaluateWhen('ctx.missing', 'succeeded', scope, 'w')).toBe(false);
    expect(await evaluateWhen('ctx.list', 'succeeded', scope, 'w')).toBe(true);
    expect(await evaluateWhen('[]', 'succeeded', scope, 'w')).toBe(false);
  });

  it('rejects with the path when the expression fails', async () => {
    await expect(evaluateWhen('$nope()', 'succeeded', scope, 'tasks.a.next[0].when')).rejects.toMatchObject({
      path: 'tasks.a.next[0].when',
    });
  });
});

describe('jsonataBoolean', () => {
  it.each([
    [undefined, false],
    [null, false],
    ['', false],
    ['x', true],
    [0, false],
    [2, true],
    [[], false],
    [[0, ''], false],
    [[0, 1], true],
    [{}, false],
    [{ a: 1 }, true],
    [() => 1, false],
  ])('%j is %s', (value, expected) => {
    expect(jsonataBoolean(value)).toBe(expected);
  });
});

describe('compileExpression', () => {
  it('compiles each source once and reuses it', () => {
    const source = `ctx.cached_${compiledExpressionCount()} + 1`;
    const before = compiledExpressionCount();
    const first = compileExpression(source, 'a');
    const second = compileExpression(source, 'b');
    expect(second).toBe(first);
    expect(compiledExpressionCount()).toBe(before + 1);
  });

  it('throws an ExpressionError naming the path and the JSONata error', () => {
    expect(() => compileExpression('ctx.x >', 'tasks.a.next[0].when')).toThrow(
      /^tasks\.a\.next\[0\]\.when: Unexpected end of expression/,
    );
  });
});

describe('checkTemplates', () => {
  it('returns every error in a deep value, each with its path', () => {
    const errors = checkTemplates({ a: ['ok {{ x }}', '{{ ( }}'], b: { c: '{{ y', d: 3 } }, 'tasks.t.with');
    expect(errors.map((error) => error.path)).toEqual(['tasks.t.with.a[1]', 'tasks.t.with.b.c']);
  });

  it('quotes keys that are not identifiers', () => {
    expect(checkTemplates({ 'my-key': '{{ ( }}' }, 'p').map((error) => error.path)).toEqual(['p["my-key"]']);
  });
});
