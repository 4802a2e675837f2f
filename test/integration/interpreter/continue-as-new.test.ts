/**
 * SPEC §3 rules 4, 7 and 8 across a real continue-as-new (issue 16): each piece of run
 * state that must outlive a run of the chain — an open join barrier, a pending `delay:`
 * timer, the whole-run `timeout`, `workflow.startTime`, ctx, results and iteration counts —
 * is set up before the boundary and checked after it, on the real dev server. A tiny
 * `continueAsNewAfterEvents` makes every run drain as soon as it can.
 */
import { describe, expect, it } from 'vitest';
import type { Client } from '@temporalio/client';
import { uniqueTaskQueue, useClient, withWorker } from '../harness.js';
import { pauseSignal, resumeSignal } from '../../../src/workflows/interpreter.js';
import {
  activityTimeline,
  continuedInput,
  definitionFrom,
  EventType,
  historyOf,
  pollFor,
  reportOf,
  runFailure,
  startGraph,
  stateOf,
  summariesOf,
  uniqueWorkflowId,
  type HistoryEvent,
} from './support.js';

/**
 * `fast` runs at once; `late` waits out a `delay:`. The run drains after `fast` ended, so
 * it continues-as-new with the join barrier of `merge` holding 1 of its 2 arrivals and
 * `late`'s timer pending; both must survive for `merge` to run, exactly once.
 */
const JOIN_ACROSS = definitionFrom(
  `
version: 1
name: it-can-join
start: [fast, late]
tasks:
  fast:
    action: script
    with: { command: [echo, fast] }
    next: [{ publish: { fast: "{{ $trim(result.stdout) }}", seenStart: "{{ workflow.startTime }}" }, do: [merge] }]
  late:
    action: script
    delay: 2s
    with: { command: [echo, late] }
    next: [{ publish: { late: "{{ $trim(result.stdout) }}" }, do: [merge] }]
  merge:
    action: script
    join: all
    with: { command: [echo, "{{ ctx.fast }}+{{ ctx.late }}"] }
output:
  merged: "{{ $trim(results.merge.stdout) }}"
  fast: "{{ $trim(results.fast.stdout) }}"
  seenStart: "{{ ctx.seenStart }}"
  startTime: "{{ workflow.startTime }}"
`,
  'can-join.yaml',
);

/** A loop far longer than its `timeout` (each tick sleeps), continuing-as-new every few ticks. */
const TIMEOUT_ACROSS = definitionFrom(
  `
version: 1
name: it-can-timeout
timeout: 3s
start: [tick]
vars: { n: 0 }
tasks:
  tick:
    action: script
    with: { command: [sleep, "0.2"] }
    next:
      - when: "ctx.n < 40"
        publish: { n: "{{ ctx.n + 1 }}" }
        do: [tick]
`,
  'can-timeout.yaml',
);

/**
 * A loop of three `count` runs, then a fan-out of four items one at a time: with a tiny
 * threshold the chain continues-as-new inside the loop and between fan-out items.
 */
const LOOP_THEN_FANOUT = definitionFrom(
  `
version: 1
name: it-can-progress
start: [count]
vars: { n: 0 }
tasks:
  count:
    action: script
    with: { command: [echo, "{{ ctx.n }}"] }
    next:
      - when: "ctx.n < 2"
        publish: { n: "{{ ctx.n + 1 }}" }
        do: [count]
      - publish: { n: "{{ ctx.n + 1 }}" }
        do: [each]
  each:
    action: script
    items: "{{ [0, 1, 2, 3] }}"
    concurrency: 1
    with: { command: [echo, "item {{ item }}"] }
    next: [{ publish: { items: "{{ result.$trim(stdout) }}" } }]
output: { n: "{{ ctx.n }}", items: "{{ ctx.items }}" }
`,
  'can-progress.yaml',
);

/** Every run of the chain that started with `handle`'s first run, in order. */
async function chainOf(client: Client, workflowId: string, firstRunId: string): Promise<HistoryEvent[][]> {
  const runs: HistoryEvent[][] = [];
  for (let runId: string | undefined = firstRunId; runId !== undefined && runs.length < 100;) {
    const events = await historyOf(client.workflow.getHandle(workflowId, runId));
    runs.push(events);
    runId = events.at(-1)?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId ?? undefined;
  }
  return runs;
}

function startTimeOf(events: readonly HistoryEvent[]): string {
  const started = events.find((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED);
  const seconds = Number(started?.eventTime?.seconds ?? 0);
  const nanos = started?.eventTime?.nanos ?? 0;
  return new Date(seconds * 1000 + Math.floor(nanos / 1e6)).toISOString();
}

/** Durations (ms) of the timers a run started, in history order. */
function timerDurations(events: readonly HistoryEvent[]): number[] {
  return events
    .filter((e) => e.eventType === EventType.EVENT_TYPE_TIMER_STARTED)
    .map((e) => {
      const timeout = e.timerStartedEventAttributes?.startToFireTimeout;
      return Number(timeout?.seconds ?? 0) * 1000 + Math.floor((timeout?.nanos ?? 0) / 1e6);
    });
}

describe('interpretGraph: run state across continue-as-new', () => {
  let client: Client;
  useClient((c) => (client = c));

  it('a join with 1 of 2 arrivals and a pending delay timer at the boundary: merge runs once, after it; ctx, results, startTime carried (rules 4, 8)', async () => {
    const taskQueue = uniqueTaskQueue('can-join');
    const workflowId = uniqueWorkflowId('can-join');
    const { result, runs } = await withWorker({ taskQueue }, async () => {
      const handle = await startGraph(client, taskQueue, workflowId, { definition: JOIN_ACROSS, continueAsNewAfterEvents: 8 });
      const result = await handle.result();
      return { result, runs: await chainOf(client, workflowId, handle.firstExecutionRunId) };
    });
    const [first, ...later] = runs;
    if (first === undefined) throw new Error('no run');
    expect(later.length).toBeGreaterThanOrEqual(1);

    // The first run ran only `fast`, then continued-as-new with the barrier half full and
    // `late`'s delay still pending.
    expect(summariesOf(activityTimeline(first), 'completed')).toEqual(['fast']);
    const carried = continuedInput(first)?.resume as Record<string, unknown> | undefined;
    expect(JSON.stringify(carried?.joins)).toContain('fast');
    expect(timerDurations(first)).toEqual([2000]);

    // The later runs re-armed the delay with what was left of it, ran `late`, then `merge` once.
    const laterStarts = later.flatMap((events) => summariesOf(activityTimeline(events), 'scheduled'));
    expect(laterStarts).toEqual(['late', 'merge']);
    const rearmed = later.flatMap(timerDurations);
    expect(rearmed).toHaveLength(1);
    expect(rearmed[0]).toBeLessThan(2000);

    // ctx and results from the first run reached the end; startTime is the chain's start.
    const chainStart = startTimeOf(first);
    expect(startTimeOf(later.at(-1) ?? [])).not.toBe(chainStart);
    expect(result.output).toEqual({ merged: 'fast+late', fast: 'fast', seenStart: chainStart, startTime: chainStart });
    expect(result.tasks).toEqual({
      fast: { status: 'succeeded', iterations: 1, attempts: 1 },
      late: { status: 'succeeded', iterations: 1, attempts: 1 },
      merge: { status: 'succeeded', iterations: 1, attempts: 1 },
    });
  });

  it('the whole-run timeout spans the chain: a later run fails with RunTimedOut, its timer re-armed with what was left (rules 7, 8)', async () => {
    const taskQueue = uniqueTaskQueue('can-timeout');
    const workflowId = uniqueWorkflowId('can-timeout');
    const { failure, runs } = await withWorker({ taskQueue }, async () => {
      const handle = await startGraph(client, taskQueue, workflowId, {
        definition: TIMEOUT_ACROSS,
        // Low enough that every run continues after its first tick, however slow the machine:
        // the deadline then always falls in a later run of the chain.
        continueAsNewAfterEvents: 10,
      });
      const failure = await runFailure(handle.result());
      return { failure, runs: await chainOf(client, workflowId, handle.firstExecutionRunId) };
    });
    expect(failure.type).toBe('RunTimedOut');
    expect(failure.message).toBe('run exceeded its timeout of 3s');
    expect(reportOf(failure).failure).toMatchObject({ type: 'RunTimedOut', path: 'timeout' });

    // It failed in a later run of the chain, not the first; every run before it continued.
    expect(runs.length).toBeGreaterThanOrEqual(2);
    const closing = runs.map((events) => events.at(-1)?.eventType);
    expect(closing.slice(0, -1).every((type) => type === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW)).toBe(true);
    expect(closing.at(-1)).toBe(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED);
    // Counted from the chain's start, not from the last run's: either the last run's deadline
    // timer fired, armed with less than the whole timeout, or the last run began after the
    // deadline and failed at once, arming and starting nothing (issue 16: a
    // 0 ms timer was never seen by a run that continued again, so the chain outran its timeout).
    const last = runs.at(-1) ?? [];
    if (last.some((e) => e.eventType === EventType.EVENT_TYPE_TIMER_FIRED)) {
      const [armed] = timerDurations(last);
      expect(armed).toBeLessThan(3000);
    } else {
      expect(timerDurations(last)).toEqual([]);
      expect(last.some((e) => e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED)).toBe(false);
    }
    // The loop did not reach its end: the timeout, not the loop, ended the chain.
    expect(reportOf(failure).tasks.tick?.iterations ?? 0).toBeLessThan(41);
  });

  it('a paused run stays paused in the next run of the chain; iteration counts and fan-out progress carry over, each item once and in order (rules 8, 9, 13)', async () => {
    const taskQueue = uniqueTaskQueue('can-progress');
    const workflowId = uniqueWorkflowId('can-progress');
    const { pausedView, pausedRunSchedules, result, runs } = await withWorker({ taskQueue }, async () => {
      const handle = await startGraph(client, taskQueue, workflowId, {
        definition: LOOP_THEN_FANOUT,
        continueAsNewAfterEvents: 8,
      });
      await handle.signal(pauseSignal);
      // The pause reaches some run; once that run drained, its successor must still be paused.
      const pausedView = await pollFor('a later run of the chain, paused', async () => {
        const view = await stateOf(handle);
        return view !== undefined && view.generation >= 1 && view.paused && view.running.length === 0 ? view : undefined;
      });
      const pausedRunSchedules = summariesOf(activityTimeline(await historyOf(handle)), 'scheduled');
      await handle.signal(resumeSignal);
      const result = await handle.result();
      return { pausedView, pausedRunSchedules, result, runs: await chainOf(client, workflowId, handle.firstExecutionRunId) };
    });
    expect(pausedView.status).toBe('paused');
    // Nothing started in the paused run before the resume.
    expect(pausedRunSchedules).toEqual([]);

    expect(runs.length).toBeGreaterThanOrEqual(4);
    const scheduled = runs.flatMap((events) => summariesOf(activityTimeline(events), 'scheduled'));
    expect(scheduled).toEqual(['count', 'count #2', 'count #3', 'each[0]', 'each[1]', 'each[2]', 'each[3]']);
    // The fan-out itself spanned at least one boundary.
    const runsWithItems = runs.filter((events) =>
      summariesOf(activityTimeline(events), 'scheduled').some((s) => s.startsWith('each')),
    );
    expect(runsWithItems.length).toBeGreaterThanOrEqual(2);

    expect(result.output).toEqual({ n: 3, items: ['item 0', 'item 1', 'item 2', 'item 3'] });
    expect(result.tasks).toEqual({
      count: { status: 'succeeded', iterations: 3, attempts: 3 },
      each: { status: 'succeeded', iterations: 1, attempts: 4 },
    });
  });
});
