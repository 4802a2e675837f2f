/**
 * Where a rerun starts and what it carries (src/cli/history-commands.ts), without a server:
 * the named task, else the failed one, else the tasks a cancelled run cut short; the start
 * tasks' iteration taken back by one; and the `failed` query's --since clause.
 */
import { describe, expect, it } from 'vitest';
import type { CarriedView } from '../../../src/conductor/index.js';
import { failedQuery, rerunSeed, rerunStart } from '../../../src/cli/history-commands.js';
import { UsageError } from '../../../src/cli/errors.js';

const carried = (overrides: Partial<CarriedView> = {}): CarriedView => ({
  ctx: { fromA: 'x' },
  results: { a: 1 },
  iterations: { a: 1, b: 2 },
  tasks: {
    a: { status: 'succeeded', iterations: 1, attempts: 1 },
    b: { status: 'failed', iterations: 2, attempts: 3 },
  },
  ...overrides,
});

describe('rerunStart', () => {
  it('starts at --from, else the failed task, else the tasks cut short', () => {
    expect(rerunStart(carried(), ['a', 'b'], 'a')).toEqual(['a']);
    expect(rerunStart(carried({ failure: { type: 'TaskFailed', message: 'm', task: 'b' } }), ['a', 'b'], undefined)).toEqual([
      'b',
    ]);
    expect(rerunStart(carried(), ['a', 'b'], undefined)).toEqual(['b']);
  });

  it('refuses a task the graph does not have, and a run that names none', () => {
    expect(() => rerunStart(carried(), ['a', 'b'], 'nope')).toThrow(UsageError);
    const done = carried({ tasks: { a: { status: 'succeeded', iterations: 1, attempts: 1 } } });
    expect(() => rerunStart(done, ['a'], undefined)).toThrow(/--from TASK/);
  });
});

describe('rerunSeed', () => {
  it('carries ctx and results and takes back the iteration each start task redoes', () => {
    expect(rerunSeed(carried(), ['b'])).toEqual({
      ctx: { fromA: 'x' },
      results: { a: 1 },
      iterations: { a: 1, b: 1 },
      from: ['b'],
    });
    expect(rerunSeed(carried(), ['c']).iterations).toEqual({ a: 1, b: 2, c: 0 });
  });
});

describe('failedQuery', () => {
  it('asks for failed interpreter runs of the graph closed within --since', () => {
    const now = Date.parse('2026-01-02T00:00:00Z');
    expect(failedQuery({ graph: 'g', since: '1h' }, now)).toBe(
      "WorkflowType = 'interpretGraph' AND ExecutionStatus = 'Failed' AND SwitchyardGraph = 'g' AND CloseTime > '2026-01-01T23:00:00.000Z'",
    );
    expect(() => failedQuery({ since: 'soon' })).toThrow(UsageError);
  });
});
