/**
 * SPEC §3 rules 7 and 8 end to end: cycle guards (max_iterations, whole-run timeout) and a
 * loop that continues-as-new several times with bounded history, compared with the same
 * loop run in one piece. The chain is followed through the real histories and listed with
 * the real `temporal` CLI.
 */
import { describe, expect, it } from 'vitest';
import type { Client } from '@temporalio/client';
import { temporalCliJson, uniqueTaskQueue, useClient, withWorker } from '../harness.js';
import {
  activityTimeline,
  EventType,
  eventIdOf,
  eventIds,
  executeGraph,
  fixture,
  historyOf,
  pollFor,
  processesGone,
  reportOf,
  runFailure,
  sleepMarker,
  startGraph,
  startInput,
  stateOf,
  summariesOf,
  uniqueWorkflowId,
  type HistoryEvent,
} from './support.js';

/** Temporal's own default limit of events per run; an interpreter run must stay well under. */
const HISTORY_LIMIT = 10_240;
const ROUNDS = 60;
/** 1 + 2 + … + 60: every iteration's echo counted exactly once. */
const SUM = (ROUNDS * (ROUNDS + 1)) / 2;

describe('interpretGraph: cycles and continue-as-new', () => {
  let client: Client;
  useClient((c) => (client = c));

  it('max_iterations stops a cycle with a clear error (rule 7)', async () => {
    const taskQueue = uniqueTaskQueue('max-iter');
    const workflowId = uniqueWorkflowId('max-iter');
    const { failure, events } = await withWorker({ taskQueue }, async () => {
      const failure = await runFailure(executeGraph(client, taskQueue, workflowId, { definition: fixture('max-iterations') }));
      return { failure, events: await historyOf(client.workflow.getHandle(workflowId)) };
    });
    expect(failure.type).toBe('MaxIterationsExceeded');
    expect(failure.message).toBe("task 'spin' reached max_iterations (3): it was scheduled to run a 4th time");
    expect(reportOf(failure).tasks.spin).toMatchObject({ status: 'succeeded', iterations: 3, attempts: 3 });
    expect(summariesOf(activityTimeline(events), 'scheduled')).toEqual(['spin', 'spin #2', 'spin #3']);
  });

  it('the whole-run timeout fails the run clearly and cancels the running sleep (rule 7)', async () => {
    const taskQueue = uniqueTaskQueue('run-timeout');
    const marker = sleepMarker();
    const { failure, events, left } = await withWorker({ taskQueue }, async () => {
      const handle = await startGraph(client, taskQueue, uniqueWorkflowId('run-timeout'), {
        definition: fixture('run-timeout'),
        input: { marker },
      });
      const failure = await runFailure(handle.result());
      return { failure, events: await historyOf(handle), left: await processesGone(`sleep ${marker}`) };
    });
    expect(failure.type).toBe('RunTimedOut');
    expect(failure.message).toBe('run exceeded its timeout of 1s');
    expect(reportOf(failure).failure).toMatchObject({ type: 'RunTimedOut', path: 'timeout' });
    expect(reportOf(failure).tasks.nap).toMatchObject({ status: 'cancelled', iterations: 1 });
    // The run-timeout timer (1 s) fired, then nap was cancelled, then the run failed.
    const timerStarted = events.find((e) => e.eventType === EventType.EVENT_TYPE_TIMER_STARTED);
    expect(Number(timerStarted?.timerStartedEventAttributes?.startToFireTimeout?.seconds ?? 0)).toBeLessThanOrEqual(1);
    const [fired] = eventIds(events, EventType.EVENT_TYPE_TIMER_FIRED);
    const timeline = activityTimeline(events);
    expect(eventIdOf(timeline, 'nap', 'cancelRequested')).toBeGreaterThan(fired ?? Infinity);
    expect(eventIds(events, EventType.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED)[0]).toBeGreaterThan(
      eventIdOf(timeline, 'nap', 'cancelRequested'),
    );
    expect(left).toEqual([]);
  });

  it('a long loop continues-as-new at least twice, each run under the history limit, with the same result as one unbroken run (rule 8)', async () => {
    const taskQueue = uniqueTaskQueue('can');
    const definition = fixture('counter-loop');
    const workflowId = uniqueWorkflowId('can');
    const { chained, whole, runs, state } = await withWorker({ taskQueue }, async () => {
      const handle = await startGraph(client, taskQueue, workflowId, { definition, continueAsNewAfterEvents: 100 });
      const chained = await handle.result();
      // Follow the chain from the first run through each run's ContinuedAsNew event.
      const runs: { runId: string; events: HistoryEvent[] }[] = [];
      for (let runId: string | undefined = handle.firstExecutionRunId; runId !== undefined && runs.length < 50;) {
        const events = await historyOf(client.workflow.getHandle(workflowId, runId));
        runs.push({ runId, events });
        const next = events.at(-1)?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId;
        runId = next ?? undefined;
      }
      const state = await stateOf(handle);
      const whole = await executeGraph(client, taskQueue, uniqueWorkflowId('no-can'), {
        definition,
        continueAsNewAfterEvents: 1_000_000,
      });
      return { chained, whole, runs, state };
    });

    // At least three runs: two or more continue-as-new, the last one completed.
    expect(runs.length).toBeGreaterThanOrEqual(3);
    const closing = runs.map(({ events }) => events.at(-1)?.eventType);
    expect(closing.slice(0, -1).every((type) => type === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW)).toBe(true);
    expect(closing.at(-1)).toBe(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED);
    for (const { events } of runs) {
      expect(events.length).toBeLessThan(HISTORY_LIMIT);
      // Rule 12: every run of the chain carries the definition; later runs carry the state too.
      expect(startInput(events).definition).toEqual(definition);
    }
    expect(runs.slice(1).every(({ events }) => startInput(events).resume !== undefined)).toBe(true);
    // No iteration lost or repeated across the chain: 60 echo activities in all, in order.
    const scheduled = runs.flatMap(({ events }) => activityTimeline(events).filter((line) => line.kind === 'scheduled'));
    expect(scheduled.map((line) => line.input?.with)).toEqual(
      Array.from({ length: ROUNDS }, (_, i) => ({ command: ['echo', i + 1] })),
    );
    expect(state).toMatchObject({ status: 'completed', generation: runs.length - 1 });

    // The same loop without continue-as-new gives the same result.
    const expected = { n: ROUNDS, count: ROUNDS, sum: SUM, last: ROUNDS };
    expect(chained.output).toEqual(expected);
    expect(whole.output).toEqual(expected);
    expect(chained.tasks).toEqual(whole.tasks);
    expect(chained.tasks.tick).toEqual({ status: 'succeeded', iterations: ROUNDS, attempts: ROUNDS });
    expect(chained.receipts.map((r) => r.iteration)).toEqual(whole.receipts.map((r) => r.iteration));

    // The ecosystem's own client sees the same chain: one execution per run, same run ids.
    const listed = await pollFor('the chain in `temporal workflow list`', async () => {
      const out = await temporalCliJson(['workflow', 'list', '--query', `WorkflowId="${workflowId}"`]);
      const list = (Array.isArray(out) ? out : [out]) as { execution: { runId: string }; status: string }[];
      return list.length === runs.length ? list : undefined;
    });
    expect(listed.map((entry) => entry.execution.runId).sort()).toEqual(runs.map((run) => run.runId).sort());
    expect(listed.filter((entry) => entry.status === 'WORKFLOW_EXECUTION_STATUS_CONTINUED_AS_NEW')).toHaveLength(runs.length - 1);
  });
});
