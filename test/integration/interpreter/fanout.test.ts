/**
 * SPEC §3 rule 9 end to end: fan-out with `items` and `concurrency` on the real dev server.
 * The concurrency limit is checked by replaying the run's real activity events, not by timing.
 */
import { describe, expect, it } from 'vitest';
import type { Client } from '@temporalio/client';
import { uniqueTaskQueue, useClient, withWorker } from '../harness.js';
import {
  activityTimeline,
  EventType,
  eventIdOf,
  eventIds,
  expectScriptReceipt,
  fixture,
  historyOf,
  maxInFlight,
  reportOf,
  runFailure,
  startGraph,
  summariesOf,
  tempDir,
  uniqueWorkflowId,
} from './support.js';

describe('interpretGraph: fan-out (rule 9)', () => {
  let client: Client;
  useClient((c) => (client = c));

  it('runs one activity per item, at most 2 at a time, and returns the item results in item order', async () => {
    const taskQueue = uniqueTaskQueue('fanout');
    const { result, events } = await withWorker({ taskQueue }, async () => {
      const handle = await startGraph(client, taskQueue, uniqueWorkflowId('fanout'), { definition: fixture('fanout') });
      return { result: await handle.result(), events: await historyOf(handle) };
    });
    expect(result.output).toEqual(['0:a', '1:b', '2:c', '3:d', '4:e']);
    expect(result.tasks.each).toEqual({ status: 'succeeded', iterations: 1, attempts: 5 });

    const timeline = activityTimeline(events);
    // Items start in item order, each once, with its own `item` and `index` rendered into `with`.
    const scheduled = timeline.filter((line) => line.kind === 'scheduled');
    expect(scheduled.map((line) => line.summary)).toEqual(['each[0]', 'each[1]', 'each[2]', 'each[3]', 'each[4]']);
    expect(scheduled.map((line) => line.input?.meta.index)).toEqual([0, 1, 2, 3, 4]);
    expect(scheduled[2]?.input?.with).toMatchObject({ args: ['0.3', '2:c'] });
    // Never more than two out at once, and the limit was used.
    expect(maxInFlight(timeline)).toBe(2);
    // Each item after the first two started only once an earlier one had ended.
    const ends = timeline.filter((line) => line.kind === 'completed').map((line) => line.eventId);
    for (const [k, line] of scheduled.slice(2).entries()) expect(line.eventId).toBeGreaterThan(ends[k] ?? Infinity);

    expect(result.receipts.map((r) => r.index).sort()).toEqual([0, 1, 2, 3, 4]);
    for (const receipt of result.receipts)
      expectScriptReceipt(receipt, { task: 'each', iteration: 1, attempt: 1, outcome: 'succeeded' });
  });

  it('one failing item fails the task after the running item ends; items not yet started never start', async () => {
    const taskQueue = uniqueTaskQueue('fanout-fail');
    const { failure, events } = await withWorker({ taskQueue }, async () => {
      const handle = await startGraph(client, taskQueue, uniqueWorkflowId('fanout-fail'), {
        definition: fixture('fanout-failure'),
        input: { dir: tempDir('fanout-fail') },
      });
      return { failure: await runFailure(handle.result()), events: await historyOf(handle) };
    });
    expect(failure.type).toBe('TaskFailed');
    expect(failure.message).toBe(
      `task 'each' failed after 1 attempt: item 1 failed: script task "each": /bin/sh exited with code 7; stderr tail:\nitem 1 broke [ScriptExitError]`,
    );
    const report = reportOf(failure);
    expect(report.tasks.each).toMatchObject({ status: 'failed', iterations: 1, attempts: 2 });
    expect(report.receipts.map((r) => `${r.index}:${r.outcome}`).sort()).toEqual(['0:succeeded', '1:failed']);

    const timeline = activityTimeline(events);
    expect(summariesOf(timeline, 'scheduled')).toEqual(['each[0]', 'each[1]']);
    // Item 0 was running when item 1 failed, and was let finish before the run failed.
    const item0Done = eventIdOf(timeline, 'each[0]', 'completed');
    expect(item0Done).toBeGreaterThan(eventIdOf(timeline, 'each[1]', 'failed'));
    expect(timeline.filter((line) => line.kind === 'cancelRequested')).toEqual([]);
    expect(eventIds(events, EventType.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED)[0]).toBeGreaterThan(item0Done);
  });
});
