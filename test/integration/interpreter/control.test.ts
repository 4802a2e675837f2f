/**
 * SPEC §3 rules 10, 11, 13 and 14 end to end: delay timers, publish order across
 * concurrent branches, pause/resume signals, Temporal cancel, and the `state` query on a
 * live and on a closed run. Claims about order are read from the real history.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CancelledFailure, WorkflowFailedError, type Client } from '@temporalio/client';
import { runStatus } from '../../../src/cli/runs.js';
import { pauseSignal, resumeSignal } from '../../../src/workflows/index.js';
import { uniqueTaskQueue, useClient, withWorker } from '../harness.js';
import {
  activityTimeline,
  definitionFrom,
  EventType,
  eventIdOf,
  eventIds,
  expectScriptReceipt,
  fixture,
  historyOf,
  pollFor,
  processesGone,
  processesMatching,
  sleepMarker,
  startGraph,
  stateOf,
  summariesOf,
  tempDir,
  uniqueWorkflowId,
  type HistoryEvent,
} from './support.js';

const DELAYED = definitionFrom(`
version: 1
name: it-delay
tasks:
  first: { action: script, with: { command: [echo, first] }, next: [{ do: [later] }] }
  later: { action: script, delay: 500ms, with: { command: [echo, later] } }
`);

const SLEEPER = definitionFrom(`
version: 1
name: it-cancel
tasks:
  nap: { action: script, heartbeat: 2s, with: { command: [sleep, "{{ input.marker }}"] } }
`);

/** A script that takes a second to stop after SIGTERM: $0 is a marker for `ps`, $1 a file it notes its stop in. */
const SLOW_TO_STOP = definitionFrom(`
version: 1
name: it-cancel-slow-stop
tasks:
  nap:
    action: script
    heartbeat: 2s
    with:
      command:
        - sh
        - -c
        - trap 'sleep 1; echo stopped >> "$1"; exit 143' TERM; sleep 30 & wait $!
        - "{{ input.marker }}"
        - "{{ input.file }}"
`);

/** The same sleeper without `heartbeat:`: most tasks in real definitions look like this. */
const SLEEPER_NO_HEARTBEAT = definitionFrom(`
version: 1
name: it-cancel-default
tasks:
  nap: { action: script, with: { command: [sleep, "{{ input.marker }}"] } }
`);

function signalIds(events: readonly HistoryEvent[], name: string): number[] {
  return events
    .filter(
      (e) =>
        e.eventType === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED &&
        e.workflowExecutionSignaledEventAttributes?.signalName === name,
    )
    .map((e) => Number(e.eventId));
}

describe('interpretGraph: timers, publish order, signals, cancel and the state query', () => {
  let client: Client;
  useClient((c) => (client = c));

  it('delay starts a durable timer before the task is scheduled (rule 10)', async () => {
    const taskQueue = uniqueTaskQueue('delay');
    const { result, events } = await withWorker({ taskQueue }, async () => {
      const handle = await startGraph(client, taskQueue, uniqueWorkflowId('delay'), { definition: DELAYED });
      return { result: await handle.result(), events: await historyOf(handle) };
    });
    expect(result.tasks.later).toEqual({ status: 'succeeded', iterations: 1, attempts: 1 });
    const timeline = activityTimeline(events);
    const [timerStarted] = eventIds(events, EventType.EVENT_TYPE_TIMER_STARTED);
    const [timerFired] = eventIds(events, EventType.EVENT_TYPE_TIMER_FIRED);
    expect(eventIds(events, EventType.EVENT_TYPE_TIMER_STARTED)).toHaveLength(1);
    const timer = events.find((e) => e.eventType === EventType.EVENT_TYPE_TIMER_STARTED)?.timerStartedEventAttributes;
    expect({ seconds: Number(timer?.startToFireTimeout?.seconds ?? 0), nanos: timer?.startToFireTimeout?.nanos }).toEqual({
      seconds: 0,
      nanos: 500_000_000,
    });
    expect(timerStarted).toBeGreaterThan(eventIdOf(timeline, 'first', 'completed'));
    expect(timerFired).toBeGreaterThan(timerStarted ?? Infinity);
    expect(eventIdOf(timeline, 'later', 'scheduled')).toBeGreaterThan(timerFired ?? Infinity);
  });

  it('concurrent branches publish into ctx in completion order, as the history records it (rule 11)', async () => {
    const taskQueue = uniqueTaskQueue('publish');
    const { result, events } = await withWorker({ taskQueue }, async () => {
      const handle = await startGraph(client, taskQueue, uniqueWorkflowId('publish'), { definition: fixture('publish-order') });
      return { result: await handle.result(), events: await historyOf(handle) };
    });
    const completed = summariesOf(activityTimeline(events), 'completed');
    expect([...completed].sort()).toEqual(['one', 'three', 'two']);
    expect(result.output).toEqual(completed);
  });

  it('the state query shows running tasks, open barriers, iterations, ctx and receipts while running, and still answers after the run closed (rule 14)', async () => {
    const taskQueue = uniqueTaskQueue('state');
    const gate = join(tempDir('state'), 'open');
    const { live, closed, result } = await withWorker({ taskQueue }, async () => {
      const handle = await startGraph(client, taskQueue, uniqueWorkflowId('state'), {
        definition: fixture('gated'),
        input: { gate },
      });
      const live = await pollFor('quick to end while gate runs', async () => {
        const view = await stateOf(handle);
        return view?.tasks.quick?.status === 'succeeded' ? view : undefined;
      });
      writeFileSync(gate, '');
      const result = await handle.result();
      return { live, closed: await stateOf(handle), result };
    });

    expect(live).toMatchObject({
      status: 'running',
      paused: false,
      running: [{ task: 'gate', iteration: 1 }],
      scheduled: [],
      barriers: [{ task: 'merge', round: 1, fired: false, arrived: ['quick'], missing: ['gate'], late: [] }],
      iterations: { quick: 1, gate: 1 },
      ctx: { quick: 'quick' },
      tasks: { quick: { status: 'succeeded' }, gate: { status: 'running' }, merge: { status: 'not_run' } },
    });
    expect(live?.receipts).toHaveLength(1);
    expectScriptReceipt(live?.receipts[0], { task: 'quick', attempt: 1, outcome: 'succeeded' });

    expect(result.output).toEqual({ quick: 'quick', merged: true });
    expect(closed).toMatchObject({
      status: 'completed',
      running: [],
      scheduled: [],
      barriers: [],
      iterations: { quick: 1, gate: 1, merge: 1, after: 1 },
      ctx: { quick: 'quick', merged: true },
      output: { quick: 'quick', merged: true },
    });
    expect(closed?.receipts.map((r) => r.task).sort()).toEqual(['after', 'gate', 'merge', 'quick']);
  });

  it('pause stops new starts while the running task finishes; resume starts them (rule 13)', async () => {
    const taskQueue = uniqueTaskQueue('pause');
    const gate = join(tempDir('pause'), 'open');
    const { paused, whilePaused, result, events } = await withWorker({ taskQueue }, async () => {
      const handle = await startGraph(client, taskQueue, uniqueWorkflowId('pause'), {
        definition: fixture('gated'),
        input: { gate },
      });
      await pollFor('gate to run', async () =>
        (await stateOf(handle))?.running.some((r) => r.task === 'gate') ? true : undefined,
      );
      await handle.signal(pauseSignal);
      await pollFor('the run to be paused', async () => ((await stateOf(handle))?.status === 'paused' ? true : undefined));
      // Let the running task finish while paused: merge's barrier fires, but merge must not start.
      writeFileSync(gate, '');
      const paused = await pollFor('gate to end while paused', async () => {
        const view = await stateOf(handle);
        return view?.tasks.gate?.status === 'succeeded' && view.running.length === 0 ? view : undefined;
      });
      const whilePaused = await historyOf(handle);
      await handle.signal(resumeSignal);
      return { paused, whilePaused, result: await handle.result(), events: await historyOf(handle) };
    });

    expect(paused).toMatchObject({
      status: 'paused',
      paused: true,
      running: [],
      scheduled: [{ task: 'merge', iteration: 1, stage: 'ready' }],
    });
    expect(summariesOf(activityTimeline(whilePaused), 'scheduled').sort()).toEqual(['gate', 'quick']);
    expect(result.output).toEqual({ quick: 'quick', merged: true });

    const timeline = activityTimeline(events);
    const [pauseAt] = signalIds(events, pauseSignal.name);
    const [resumeAt] = signalIds(events, resumeSignal.name);
    // gate ran to completion after the pause; merge and after were scheduled only after the resume.
    expect(eventIdOf(timeline, 'gate', 'completed')).toBeGreaterThan(pauseAt ?? Infinity);
    expect(eventIdOf(timeline, 'gate', 'completed')).toBeLessThan(resumeAt ?? -1);
    const afterPause = timeline.filter((line) => line.kind === 'scheduled' && line.eventId > (pauseAt ?? Infinity));
    expect(afterPause.map((line) => line.summary)).toEqual(['merge', 'after']);
    expect(afterPause.every((line) => line.eventId > (resumeAt ?? Infinity))).toBe(true);
  });

  it("cancel (Temporal's own) cancels the running activity and stops its process (rule 13)", async () => {
    const taskQueue = uniqueTaskQueue('cancel');
    const marker = sleepMarker();
    const { error, events, left } = await withWorker({ taskQueue }, async () => {
      const handle = await startGraph(client, taskQueue, uniqueWorkflowId('cancel'), { definition: SLEEPER, input: { marker } });
      await pollFor('the sleep process', () => (processesMatching(`sleep ${marker}`).length > 0 ? true : undefined));
      await handle.cancel();
      const error: unknown = await handle.result().then(
        () => undefined,
        (e: unknown) => e,
      );
      return { error, events: await historyOf(handle), left: await processesGone(`sleep ${marker}`) };
    });
    expect(error).toBeInstanceOf(WorkflowFailedError);
    expect((error as WorkflowFailedError).cause).toBeInstanceOf(CancelledFailure);
    const timeline = activityTimeline(events);
    const cancelRequested = eventIdOf(timeline, 'nap', 'cancelRequested');
    const [cancelAsked] = eventIds(events, EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CANCEL_REQUESTED);
    expect(cancelRequested).toBeGreaterThan(cancelAsked ?? Infinity);
    expect(events.at(-1)?.eventType).toBe(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED);
    expect(left).toEqual([]);
  });

  it('cancel closes the run only after the script has stopped, with a cancelled receipt and state (issue 9)', async () => {
    const taskQueue = uniqueTaskQueue('cancel-slow-stop');
    const marker = `sy-slow-stop-${sleepMarker()}`;
    const file = join(tempDir('cancel-slow-stop'), 'stopped');
    const { error, leftAtClose, state, status, events } = await withWorker({ taskQueue }, async () => {
      const handle = await startGraph(client, taskQueue, uniqueWorkflowId('cancel-slow-stop'), {
        definition: SLOW_TO_STOP,
        input: { marker, file },
      });
      await pollFor('the script', () => (processesMatching(marker).length > 0 ? true : undefined));
      await handle.cancel();
      const error: unknown = await handle.result().then(
        () => undefined,
        (e: unknown) => e,
      );
      // No waiting here: the moment the run is reported closed, the script must be gone.
      const leftAtClose = processesMatching(marker);
      return {
        error,
        leftAtClose,
        state: await stateOf(handle),
        status: await runStatus(client, handle),
        events: await historyOf(handle),
      };
    });
    expect(error).toBeInstanceOf(WorkflowFailedError);
    expect((error as WorkflowFailedError).cause).toBeInstanceOf(CancelledFailure);
    expect(leftAtClose).toEqual([]);
    // It stopped its own way: SIGTERM ran its trap, which took its second.
    expect(readFileSync(file, 'utf8')).toBe('stopped\n');

    // The history: the activity reported its cancellation, then the run closed.
    const timeline = activityTimeline(events);
    expect(timeline.filter((line) => line.summary === 'nap').map((line) => line.kind)).toEqual([
      'scheduled',
      'cancelRequested',
      'started',
      'canceled',
    ]);
    expect(events.at(-1)?.eventType).toBe(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED);
    expect(Number(events.at(-1)?.eventId)).toBeGreaterThan(eventIdOf(timeline, 'nap', 'canceled'));

    // The closed run's state, as the query and `switchyard status` tell it.
    expect(state).toMatchObject({ status: 'cancelled', running: [], tasks: { nap: { status: 'cancelled', attempts: 1 } } });
    expect(state?.receipts).toHaveLength(1);
    expectScriptReceipt(state?.receipts[0], { task: 'nap', attempt: 1, outcome: 'cancelled' });
    expect(status).toMatchObject({
      status: 'CANCELLED',
      state: { status: 'cancelled', tasks: { nap: { status: 'cancelled' } } },
    });
  });

  it('cancel of a task no worker has started closes the run at once, the task cancelled after 0 attempts', async () => {
    const taskQueue = uniqueTaskQueue('cancel-unstarted');
    // A worker with no activities runs the workflow but never takes the script.
    const state = await withWorker({ taskQueue, activities: {} }, async () => {
      const handle = await startGraph(client, taskQueue, uniqueWorkflowId('cancel-unstarted'), {
        definition: SLEEPER,
        input: { marker: sleepMarker() },
      });
      await pollFor('the scheduled activity', async () =>
        (await handle.describe()).raw.pendingActivities?.length ? true : undefined,
      );
      await handle.cancel();
      await handle.result().catch(() => undefined);
      return stateOf(handle);
    });
    expect(state).toMatchObject({ status: 'cancelled', receipts: [], tasks: { nap: { status: 'cancelled', attempts: 0 } } });
  });

  // KNOWN BUG (fails until fixed): with no `heartbeat:` on the task the activity has no
  // heartbeat timeout, so the worker throttles heartbeats to the SDK's default 30 s and the
  // cancel reaches the script only then: `sleep` keeps running ~30 s after the run ended.
  // Cause and fix: see the report (src/worker.ts createWorker, defaultHeartbeatThrottleInterval).
  it('cancel stops the process of a task that sets no heartbeat (rule 13, SPEC §4 "stops promptly when cancelled")', async () => {
    const taskQueue = uniqueTaskQueue('cancel-default');
    const marker = sleepMarker();
    const { events, left } = await withWorker({ taskQueue }, async () => {
      const handle = await startGraph(client, taskQueue, uniqueWorkflowId('cancel-default'), {
        definition: SLEEPER_NO_HEARTBEAT,
        input: { marker },
      });
      await pollFor('the sleep process', () => (processesMatching(`sleep ${marker}`).length > 0 ? true : undefined));
      await handle.cancel();
      await handle.result().catch(() => undefined);
      return { events: await historyOf(handle), left: await processesGone(`sleep ${marker}`) };
    });
    expect(eventIdOf(activityTimeline(events), 'nap', 'cancelRequested')).toBeGreaterThan(0);
    expect(left).toEqual([]);
  });
});
