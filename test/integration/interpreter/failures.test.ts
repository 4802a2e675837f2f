/**
 * SPEC §3 rule 5 (fail-fast, drain), retries (rule 10) and bad input end to end, on the
 * real dev server with the real `script` activity. Cancellation is checked twice: in the
 * history (ActivityTaskCancelRequested) and in the OS (the `sleep` process is gone).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Client } from '@temporalio/client';
import { uniqueTaskQueue, useClient, withWorker } from '../harness.js';
import {
  activityTimeline,
  EventType,
  eventIdOf,
  eventIds,
  executeGraph,
  expectScriptReceipt,
  fixture,
  historyOf,
  processesGone,
  processesMatching,
  reportOf,
  runFailure,
  sleepMarker,
  startGraph,
  summariesOf,
  tempDir,
  uniqueWorkflowId,
} from './support.js';

describe('interpretGraph: failures', () => {
  let client: Client;
  useClient((c) => (client = c));

  it('fail-fast: an unhandled failure fails the run naming task, attempts and cause, cancels the running sleep and starts nothing new (rule 5)', async () => {
    const taskQueue = uniqueTaskQueue('fail-fast');
    const marker = sleepMarker();
    const dir = tempDir('fail-fast');
    const { failure, events, left } = await withWorker({ taskQueue }, async () => {
      const handle = await startGraph(client, taskQueue, uniqueWorkflowId('fail-fast'), {
        definition: fixture('fail-fast'),
        input: { dir, marker },
      });
      const failure = await runFailure(handle.result());
      // The worker is still up: the cancelled activity learns of it through its heartbeat.
      const left = await processesGone(`sleep ${marker}`);
      return { failure, events: await historyOf(handle), left };
    });

    expect(failure.type).toBe('TaskFailed');
    expect(failure.message).toBe(
      `task 'bad' failed after 2 attempts: script task "bad": /bin/sh exited with code 3; stderr tail:\nboom [ScriptExitError]`,
    );
    const report = reportOf(failure);
    expect(report.failure).toMatchObject({ type: 'TaskFailed', task: 'bad', attempts: 2 });
    expect(report.tasks).toMatchObject({
      bad: { status: 'failed', attempts: 2 },
      slow: { status: 'cancelled', iterations: 1 },
      // Scheduled, but cut short on its delay timer: it never started, so no iteration counts.
      waiting: { status: 'cancelled', iterations: 0, attempts: 0 },
      after_slow: { status: 'not_run', iterations: 0 },
    });
    expect(report.receipts).toHaveLength(1);
    expectScriptReceipt(report.receipts[0], {
      task: 'bad',
      attempt: 2,
      outcome: 'failed',
      error: expect.stringContaining('boom'),
    });

    const timeline = activityTimeline(events);
    // Only slow and bad ever started; bad's last attempt was its 2nd.
    expect(summariesOf(timeline, 'scheduled').sort()).toEqual(['bad', 'slow']);
    expect(timeline.find((line) => line.kind === 'started' && line.summary === 'bad')?.attempt).toBe(2);
    // slow's process was running when bad failed (bad waits for the file slow touches), and
    // slow was asked to cancel right then; the run closed with slow still out.
    expect(existsSync(join(dir, 'slow-started'))).toBe(true);
    expect(timeline.filter((line) => line.summary === 'slow').map((line) => line.kind)).toEqual(['scheduled', 'cancelRequested']);
    const cancelRequested = eventIdOf(timeline, 'slow', 'cancelRequested');
    expect(cancelRequested).toBeGreaterThan(eventIdOf(timeline, 'bad', 'failed'));
    expect(summariesOf(timeline, 'completed')).toEqual([]);
    // The delay timer of `waiting` was cancelled in the same step; the run failed with it.
    const [failedAt] = eventIds(events, EventType.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED);
    expect(eventIds(events, EventType.EVENT_TYPE_TIMER_CANCELED)).toHaveLength(1);
    expect(failedAt).toBeGreaterThan(cancelRequested);
    // The OS agrees: the sleep's process group was terminated.
    expect(left).toEqual([]);
  });

  it('on_failure: drain lets the running task finish before the run fails, and follows none of its transitions (rule 5)', async () => {
    const taskQueue = uniqueTaskQueue('drain');
    const marker = `1.${sleepMarker().slice(3)}`;
    const { failure, events } = await withWorker({ taskQueue }, async () => {
      const handle = await startGraph(client, taskQueue, uniqueWorkflowId('drain'), {
        definition: fixture('drain'),
        input: { dir: tempDir('drain'), marker },
      });
      return { failure: await runFailure(handle.result()), events: await historyOf(handle) };
    });
    expect(failure.type).toBe('TaskFailed');
    expect(failure.message).toMatch(/^task 'bad' failed after 2 attempts: .*boom/s);
    const report = reportOf(failure);
    expect(report.tasks).toMatchObject({
      bad: { status: 'failed', attempts: 2 },
      slow: { status: 'succeeded', attempts: 1 },
      waiting: { status: 'cancelled', attempts: 0 },
      after_slow: { status: 'not_run', iterations: 0 },
    });
    expect(report.receipts.map((r) => `${r.task}:${r.outcome}`)).toEqual(['bad:failed', 'slow:succeeded']);

    const timeline = activityTimeline(events);
    expect(summariesOf(timeline, 'scheduled').sort()).toEqual(['bad', 'slow']);
    expect(timeline.filter((line) => line.kind === 'cancelRequested')).toEqual([]);
    const slowCompleted = eventIdOf(timeline, 'slow', 'completed');
    expect(slowCompleted).toBeGreaterThan(eventIdOf(timeline, 'bad', 'failed'));
    const [failedAt] = eventIds(events, EventType.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED);
    expect(failedAt).toBeGreaterThan(slowCompleted);
    expect(processesMatching(`sleep ${marker}`)).toEqual([]);
  });

  it('retry: a command that fails twice succeeds on its 3rd attempt; receipts and summary count the attempts (rule 10)', async () => {
    const taskQueue = uniqueTaskQueue('retry-ok');
    const dir = tempDir('retry-ok');
    const { result, events } = await withWorker({ taskQueue }, async () => {
      const handle = await startGraph(client, taskQueue, uniqueWorkflowId('retry-ok'), {
        definition: fixture('retries'),
        input: { dir },
      });
      return { result: await handle.result(), events: await historyOf(handle) };
    });
    expect(result.output).toBe('ok on attempt 3\n');
    expect(result.tasks.flaky).toEqual({ status: 'succeeded', iterations: 1, attempts: 3 });
    expect(result.receipts).toHaveLength(1);
    expectScriptReceipt(result.receipts[0], { task: 'flaky', attempt: 3, outcome: 'succeeded' });
    const timeline = activityTimeline(events);
    expect(timeline.filter((line) => line.kind === 'started').map((line) => line.attempt)).toEqual([3]);
    const scheduled = events.find((e) => e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED);
    expect(scheduled?.activityTaskScheduledEventAttributes?.retryPolicy).toMatchObject({
      maximumAttempts: 3,
      backoffCoefficient: 2,
    });
  });

  it('retry: a command that never succeeds fails the run naming 3 attempts (rule 10, 5)', async () => {
    const taskQueue = uniqueTaskQueue('retry-out');
    const failure = await withWorker({ taskQueue }, () =>
      runFailure(
        executeGraph(client, taskQueue, uniqueWorkflowId('retry-out'), {
          definition: fixture('retries'),
          input: { dir: tempDir('retry-out'), succeed_on: 4 },
        }),
      ),
    );
    expect(failure.type).toBe('TaskFailed');
    expect(failure.message).toMatch(
      /^task 'flaky' failed after 3 attempts: script task "flaky": \/bin\/sh exited with code 1; stderr tail:\nattempt 3 fails \[ScriptExitError\]$/,
    );
    const report = reportOf(failure);
    expect(report.failure).toMatchObject({ task: 'flaky', attempts: 3 });
    expect(report.tasks.flaky).toMatchObject({ status: 'failed', attempts: 3 });
    expectScriptReceipt(report.receipts[0], { task: 'flaky', attempt: 3, outcome: 'failed' });
  });

  it('an invalid definition passed directly fails the run (not the workflow task) with InvalidDefinition listing every problem', async () => {
    const taskQueue = uniqueTaskQueue('invalid');
    const definition = {
      version: 1,
      name: 'bad name',
      tasks: { a: { action: 'script', next: [{ do: ['nowhere'] }] }, fail: { action: 'noop' } },
    };
    const workflowId = uniqueWorkflowId('invalid');
    const { failure, events } = await withWorker({ taskQueue }, async () => {
      const failure = await runFailure(executeGraph(client, taskQueue, workflowId, { definition, source: 'hand-made.yaml' }));
      return { failure, events: await historyOf(client.workflow.getHandle(workflowId)) };
    });
    expect(failure.type).toBe('InvalidDefinition');
    expect(failure.message).toContain('hand-made.yaml');
    for (const text of ['name', 'tasks.fail', "'fail' is a reserved name", 'tasks.a.next[0].do[0]', "unknown task 'nowhere'"]) {
      expect(failure.message).toContain(text);
    }
    expect((failure.details[0] as { problems: { path: string }[] }).problems.map((p) => p.path).sort()).toEqual(
      ['name', 'tasks.a.next[0].do[0]', 'tasks.fail'].sort(),
    );
    expect(eventIds(events, EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED)).toEqual([]);
    expect(eventIds(events, EventType.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED)).toHaveLength(1);
    expect(activityTimeline(events)).toEqual([]);
  });

  it('an expression that fails on run-time data fails the run with the expression path', async () => {
    const taskQueue = uniqueTaskQueue('expr');
    const failure = await withWorker({ taskQueue }, () =>
      runFailure(executeGraph(client, taskQueue, uniqueWorkflowId('expr'), { definition: fixture('bad-input') })),
    );
    expect(failure.type).toBe('ExpressionError');
    expect(failure.message).toMatch(/^expression failed at tasks\.word\.next\[1\]\.publish\.n: .*\$number\(result\.stdout\)/);
    const report = reportOf(failure);
    expect(report.failure).toMatchObject({ type: 'ExpressionError', path: 'tasks.word.next[1].publish.n' });
    expect(report.tasks.never).toMatchObject({ status: 'not_run', iterations: 0 });
  });

  it('do: [fail] fails the run on purpose', async () => {
    const taskQueue = uniqueTaskQueue('fail-on-purpose');
    const failure = await withWorker({ taskQueue }, () =>
      runFailure(
        executeGraph(client, taskQueue, uniqueWorkflowId('fail-on-purpose'), {
          definition: fixture('bad-input'),
          input: { mode: 'fail' },
        }),
      ),
    );
    expect(failure.type).toBe('FailRequested');
    expect(failure.message).toBe("run failed on purpose by tasks.word.next[0].do (task 'word' succeeded)");
    const report = reportOf(failure);
    expect(report.failure).toMatchObject({ task: 'word', path: 'tasks.word.next[0].do' });
    expect(report.tasks).toMatchObject({ word: { status: 'succeeded' }, never: { status: 'not_run' } });
  });

  it('do: [notify, fail] cancels the other branch, runs notify to its end, then fails on purpose (issue 16)', async () => {
    const taskQueue = uniqueTaskQueue('notify-then-fail');
    const marker = sleepMarker();
    const dir = tempDir('notify-then-fail');
    const { failure, events, left } = await withWorker({ taskQueue }, async () => {
      const handle = await startGraph(client, taskQueue, uniqueWorkflowId('notify-then-fail'), {
        definition: fixture('notify-then-fail'),
        input: { dir, marker },
      });
      const failure = await runFailure(handle.result());
      return { failure, events: await historyOf(handle), left: await processesGone(`sleep ${marker}`) };
    });

    expect(failure.type).toBe('FailRequested');
    expect(failure.message).toContain("run failed on purpose by tasks.check.next[0].do (task 'check' failed after 1 attempt");
    // notify ran to its end before the run failed: its file is there.
    expect(existsSync(join(dir, 'notified'))).toBe(true);
    expect(reportOf(failure).tasks).toMatchObject({
      check: { status: 'failed', iterations: 1 },
      slow: { status: 'cancelled', iterations: 1 },
      notify: { status: 'succeeded', iterations: 1, attempts: 1 },
      after_notify: { status: 'not_run', iterations: 0 },
    });
    const timeline = activityTimeline(events);
    expect(summariesOf(timeline, 'scheduled').sort()).toEqual(['check', 'notify', 'slow']);
    expect(eventIdOf(timeline, 'notify', 'scheduled')).toBeGreaterThan(eventIdOf(timeline, 'check', 'failed'));
    expect(timeline.filter((line) => line.summary === 'slow').map((line) => line.kind)).toEqual(['scheduled', 'cancelRequested']);
    // The run failed only after notify completed.
    const failed = eventIds(events, EventType.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED);
    expect(failed[0]).toBeGreaterThan(eventIdOf(timeline, 'notify', 'completed'));
    expect(left).toEqual([]);
  });
});
