/**
 * SPEC §3 rules 1, 2, 3, 6 and 12 end to end: `interpretGraph` on the real dev server with
 * the real `script` activity. Order claims are read from the run's real history.
 */
import { describe, expect, it } from 'vitest';
import type { Client } from '@temporalio/client';
import { uniqueTaskQueue, useClient, withWorker } from '../harness.js';
import {
  activityTimeline,
  eventIdOf,
  expectScriptReceipt,
  fixture,
  historyOf,
  startGraph,
  startInput,
  summariesOf,
  uniqueWorkflowId,
} from './support.js';

describe('interpretGraph: entry points and transitions', () => {
  let client: Client;
  useClient((c) => (client = c));

  it('starts every entry point, takes only the first matching transition, runs a join-less task per inbound transition (rules 1, 2, 3, 6)', async () => {
    const taskQueue = uniqueTaskQueue('transitions');
    const definition = fixture('transitions');
    const { result, events } = await withWorker({ taskQueue }, async () => {
      const handle = await startGraph(client, taskQueue, uniqueWorkflowId('transitions'), {
        definition,
        input: { word: 'hello' },
      });
      return { result: await handle.result(), events: await historyOf(handle) };
    });

    // Rule 6: output over the final ctx. `route` is the first transition that held, not the
    // later `completed` one; `word` comes from the run input (overriding the default) via b's stdout;
    // a failure was routed by `when: failed` (the `when`-less first transition means succeeded).
    expect(result.status).toBe('completed');
    // `results.merge` is the last merge to complete, which the history fixes.
    const lastMerge = summariesOf(activityTimeline(events), 'completed')
      .filter((s) => s.startsWith('merge'))
      .at(-1);
    const lastMergeText = lastMerge === 'merge #2' ? 'merge 2\n' : 'merge 1\n';
    expect(result.output).toEqual({ route: 'first', word: 'hello', recovered: 'ScriptExitError', last_merge: lastMergeText });
    expect(result.tasks).toEqual({
      a: { status: 'succeeded', iterations: 1, attempts: 1 },
      b: { status: 'succeeded', iterations: 1, attempts: 1 },
      c: { status: 'failed', iterations: 1, attempts: 1, lastError: expect.stringContaining('false exited with code 1') },
      merge: { status: 'succeeded', iterations: 2, attempts: 2 },
      recover: { status: 'succeeded', iterations: 1, attempts: 1 },
      never: { status: 'not_run', iterations: 0, attempts: 0 },
    });

    // Rule 1: the three entry points are the first three activities, all scheduled before any ended.
    const timeline = activityTimeline(events);
    const scheduled = summariesOf(timeline, 'scheduled');
    expect(scheduled.slice(0, 3).sort()).toEqual(['a', 'b', 'c']);
    const firstEnd = timeline.find((line) => line.kind !== 'scheduled' && line.kind !== 'started');
    expect(firstEnd?.eventId).toBeGreaterThan(eventIdOf(timeline, 'c', 'scheduled'));
    // Rule 3: merge, reached by a and by b, ran twice; `never` never ran.
    expect([...scheduled].sort()).toEqual(['a', 'b', 'c', 'merge', 'merge #2', 'recover']);
    expect(timeline.every((line) => line.activityType === 'script')).toBe(true);
    const merges = timeline.filter((line) => line.kind === 'scheduled' && line.input?.meta.task === 'merge');
    expect(merges.map((line) => line.input?.with)).toEqual([{ command: ['echo', 'merge 1'] }, { command: ['echo', 'merge 2'] }]);
    // b's input was rendered from the run input.
    const b = timeline.find((line) => line.kind === 'scheduled' && line.summary === 'b');
    expect(b?.input?.with).toEqual({ command: ['printf', '%s', 'hello'] });
    // recover started only after c failed.
    expect(eventIdOf(timeline, 'recover', 'scheduled')).toBeGreaterThan(eventIdOf(timeline, 'c', 'failed'));

    // Receipts: one per attempt, with kind, attempt, outcome, worker identity and digests.
    expect(result.receipts).toHaveLength(6);
    for (const receipt of result.receipts) expectScriptReceipt(receipt, { attempt: 1 });
    expect(result.receipts.filter((r) => r.outcome === 'failed').map((r) => r.task)).toEqual(['c']);
    expect(
      result.receipts
        .filter((r) => r.task === 'merge')
        .map((r) => r.iteration)
        .sort(),
    ).toEqual([1, 2]);

    // Rule 12: the definition travels as the workflow's input.
    expect(startInput(events)).toEqual({ definition, input: { word: 'hello' } });
  });
});
