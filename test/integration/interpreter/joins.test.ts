/**
 * SPEC §3 rule 4 end to end: join barriers on the real dev server with the real `script`
 * activity. When a join fires is read from the run's real history, never from timing.
 */
import { describe, expect, it } from 'vitest';
import type { Client } from '@temporalio/client';
import { uniqueTaskQueue, useClient, withWorker } from '../harness.js';
import {
  activityTimeline,
  eventIdOf,
  executeGraph,
  expectScriptReceipt,
  fixture,
  historyOf,
  reportOf,
  runFailure,
  startGraph,
  summariesOf,
  uniqueWorkflowId,
} from './support.js';

describe('interpretGraph: joins (rule 4)', () => {
  let client: Client;
  useClient((c) => (client = c));

  it('join: all runs once, after every inbound task has completed', async () => {
    const taskQueue = uniqueTaskQueue('join-all');
    const { result, events } = await withWorker({ taskQueue }, async () => {
      const handle = await startGraph(client, taskQueue, uniqueWorkflowId('join-all'), { definition: fixture('join-all') });
      return { result: await handle.result(), events: await historyOf(handle) };
    });
    expect(result.output).toBe('a\n|slept|c\n');
    expect(result.tasks.merge).toEqual({ status: 'succeeded', iterations: 1, attempts: 1 });
    const timeline = activityTimeline(events);
    expect(summariesOf(timeline, 'scheduled').filter((s) => s.startsWith('merge'))).toEqual(['merge']);
    const mergeScheduled = eventIdOf(timeline, 'merge', 'scheduled');
    for (const source of ['a', 'b', 'c']) expect(eventIdOf(timeline, source, 'completed')).toBeLessThan(mergeScheduled);
    expect(result.receipts.map((r) => r.task).at(-1)).toBe('merge');
    for (const receipt of result.receipts) expectScriptReceipt(receipt, { attempt: 1, outcome: 'succeeded' });
  });

  it('join: 2 of 3 fires on the second source; the late third runs nothing', async () => {
    const taskQueue = uniqueTaskQueue('join-2of3');
    const { result, events } = await withWorker({ taskQueue }, async () => {
      const handle = await startGraph(client, taskQueue, uniqueWorkflowId('join-2of3'), {
        definition: fixture('join-two-of-three'),
      });
      return { result: await handle.result(), events: await historyOf(handle) };
    });
    expect(result.status).toBe('completed');
    expect(result.tasks).toMatchObject({
      a: { status: 'succeeded', iterations: 1 },
      b: { status: 'succeeded', iterations: 1 },
      c: { status: 'succeeded', iterations: 1 },
      merge: { status: 'succeeded', iterations: 1, attempts: 1 },
    });
    const timeline = activityTimeline(events);
    // merge is scheduled exactly once: by b's arrival (the second), in the same step as c.
    expect(summariesOf(timeline, 'scheduled')).toEqual(['a', 'b', expect.any(String), expect.any(String)]);
    expect(summariesOf(timeline, 'scheduled').slice(2).sort()).toEqual(['c', 'merge']);
    expect(eventIdOf(timeline, 'merge', 'scheduled')).toBeGreaterThan(eventIdOf(timeline, 'b', 'completed'));
    // c completed (its arrival happened) and nothing was scheduled after it.
    const cCompleted = eventIdOf(timeline, 'c', 'completed');
    expect(timeline.filter((line) => line.kind === 'scheduled' && line.eventId > cCompleted)).toEqual([]);
    expect(result.receipts.map((r) => r.task).sort()).toEqual(['a', 'b', 'c', 'merge']);
  });

  it('a join inside a cycle fires once per round', async () => {
    const taskQueue = uniqueTaskQueue('join-cycle');
    const { result, events } = await withWorker({ taskQueue }, async () => {
      const handle = await startGraph(client, taskQueue, uniqueWorkflowId('join-cycle'), { definition: fixture('join-cycle') });
      return { result: await handle.result(), events: await historyOf(handle) };
    });
    expect(result.output).toEqual({ rounds: 3 });
    expect(result.tasks).toMatchObject({
      split: { status: 'succeeded', iterations: 3, attempts: 0 },
      left: { iterations: 3, attempts: 3 },
      right: { iterations: 3, attempts: 3 },
      merge: { status: 'succeeded', iterations: 3, attempts: 3 },
    });
    const timeline = activityTimeline(events);
    const suffix = (round: number) => (round === 1 ? '' : ` #${round}`);
    for (const round of [1, 2, 3]) {
      const merge = `merge${suffix(round)}`;
      const fired = eventIdOf(timeline, merge, 'scheduled');
      // Round k fires after both of its sources completed ...
      expect(eventIdOf(timeline, `left${suffix(round)}`, 'completed')).toBeLessThan(fired);
      expect(eventIdOf(timeline, `right${suffix(round)}`, 'completed')).toBeLessThan(fired);
      // ... with that round's ctx ...
      expect(timeline.find((line) => line.eventId === fired)?.input?.with).toEqual({ command: ['echo', `merge ${round}`] });
      // ... and the next round's sources start only after it completed.
      if (round < 3)
        expect(eventIdOf(timeline, `left${suffix(round + 1)}`, 'scheduled')).toBeGreaterThan(
          eventIdOf(timeline, merge, 'completed'),
        );
    }
    expect(summariesOf(timeline, 'scheduled').filter((s) => s.startsWith('merge'))).toEqual(['merge', 'merge #2', 'merge #3']);
  });

  it('a join left partly filled when nothing else can run fails the run naming the join, arrived and missing sources', async () => {
    const taskQueue = uniqueTaskQueue('join-stuck');
    const failure = await withWorker({ taskQueue }, () =>
      runFailure(executeGraph(client, taskQueue, uniqueWorkflowId('join-stuck'), { definition: fixture('join-unsatisfiable') })),
    );
    expect(failure.type).toBe('JoinUnsatisfied');
    expect(failure.message).toBe(
      "nothing else can run and a join can never fire: join 'merge' (join: all, round 1) needed 2 of [a, b]: arrived [a], never arrived [b]",
    );
    const report = reportOf(failure);
    expect(report.failure).toMatchObject({ type: 'JoinUnsatisfied', task: 'merge', path: 'tasks.merge.join' });
    expect(report.tasks).toMatchObject({
      a: { status: 'succeeded' },
      b: { status: 'failed', attempts: 1 },
      cleanup: { status: 'succeeded' },
      merge: { status: 'not_run', iterations: 0 },
    });
    expect(report.receipts.map((r) => `${r.task}:${r.outcome}`).sort()).toEqual(['a:succeeded', 'b:failed', 'cleanup:succeeded']);
  });
});
