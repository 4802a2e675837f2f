/**
 * SPEC §3 rules 17 and 18 on the real dev server: `action: wait` answered through
 * `switchyard send` and through `temporal workflow update execute`, a payload the schema
 * refuses (rejected to the sender, never in history), a timed-out wait a transition handles,
 * a wait inside a loop that continues-as-new, and a race whose losing script is stopped.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import type { EventAccepted } from '../../../src/workflows/events.js';
import { switchyard, temporalCliJson, uniqueTaskQueue, useClient, withWorker } from '../harness.js';
import {
  activityTimeline,
  continuedInput,
  definitionFrom,
  EventType,
  eventIds,
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
} from './support.js';

const APPROVAL = definitionFrom(`
version: 1
name: it-approval
tasks:
  draft: { action: script, with: { command: [echo, draft] }, next: [{ do: [approval] }] }
  approval:
    action: wait
    timeout: 1h
    with:
      event: approve
      schema:
        type: object
        required: [by]
        properties: { by: { type: string, minLength: 1 }, note: { type: string } }
        additionalProperties: false
    next: [{ publish: { by: "{{ result.by }}" }, do: [send] }]
  send: { action: script, with: { command: [echo, "approved by {{ ctx.by }}"] } }
output: { by: "{{ ctx.by }}", sent: "{{ results.send.stdout }}" }
`);

const TIMEOUT = definitionFrom(`
version: 1
name: it-wait-timeout
tasks:
  approval:
    action: wait
    timeout: 1s
    with: { event: approve }
    next:
      - { do: [send] }
      - { when: failed, publish: { why: "{{ task.error.message }}", type: "{{ task.error.type }}" }, do: [remind] }
  send: { action: script, with: { command: [echo, sent] } }
  remind: { action: script, with: { command: [echo, reminder] } }
output: { why: "{{ ctx.why }}", type: "{{ ctx.type }}" }
`);

/** APPROVAL whose draft ends once the test opens its gate. */
const GATED_APPROVAL = definitionFrom(`
version: 1
name: it-approval-gated
tasks:
  draft:
    action: script
    with: { command: [sh, -c, 'until [ -e "$1" ]; do sleep 0.05; done', draft, "{{ input.gate }}"] }
    next: [{ do: [approval] }]
  approval: { action: wait, with: { event: approve } }
`);

/** A reminder loop: each wait times out after 300 ms and reminds, until the event comes; it continues-as-new on the way. */
const LOOP = definitionFrom(`
version: 1
name: it-wait-loop
max_iterations: 1000
start: [ask]
tasks:
  ask:
    action: wait
    timeout: 300ms
    with: { event: approve }
    next:
      - { publish: { answer: "{{ result }}" } }
      - { when: failed, do: [remind] }
  remind: { action: noop, next: [{ do: [ask] }] }
output: "{{ ctx.answer }}"
`);

/** fast ends once the test opens its gate — after it saw slow's process running. */
const RACE = definitionFrom(`
version: 1
name: it-race
tasks:
  slow: { action: script, heartbeat: 2s, with: { command: [sleep, "{{ input.marker }}"] }, next: [{ do: [pick] }] }
  fast:
    action: script
    with:
      command: [sh, -c, 'until [ -e "$1" ]; do sleep 0.05; done; echo fast', fast, "{{ input.gate }}"]
    next: [{ do: [pick] }]
  pick: { action: noop, join: first }
output: "{{ results.fast.stdout }}"
`);

/** Polls the state query until the run waits for `event`; returns that view. */
async function waitingFor(handle: Parameters<typeof stateOf>[0], event: string) {
  return pollFor(`the run to wait for ${event}`, async () => {
    const view = await stateOf(handle);
    return view?.waiting.some((wait) => wait.event === event) ? view : undefined;
  });
}

function updateEvents(events: Awaited<ReturnType<typeof historyOf>>): number {
  return eventIds(events, EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED).length;
}

describe('interpretGraph: waits for events and races (rules 17, 18)', () => {
  let client: Client;
  useClient((c) => (client = c));

  it('an approval sent with `switchyard send` ends the wait; status shows what the run waits for and since when', async () => {
    const taskQueue = uniqueTaskQueue('wait-send');
    const workflowId = uniqueWorkflowId('wait-send');
    const { status, sent, result } = await withWorker({ taskQueue }, async () => {
      const handle = await startGraph(client, taskQueue, workflowId, { definition: APPROVAL });
      await waitingFor(handle, 'approve');
      const status = await switchyard(['status', workflowId]);
      const sent = await switchyard(['--json', 'send', workflowId, 'approve', '--data', '{"by":"ann"}']);
      return { status, sent, result: await handle.result() };
    });
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toMatch(
      /waiting for events[^\n]*\n {2}approval \(iteration 1\): 'approve' since \d{4}-\d\d-\d\dT[^,]+, times out \d{4}-/,
    );
    expect(sent.code, sent.stderr).toBe(0);
    expect(JSON.parse(sent.stdout)).toEqual({ workflowId, event: 'approve', task: 'approval', iteration: 1, accepted: true });
    expect(result.output).toEqual({ by: 'ann', sent: 'approved by ann\n' });
    expect(result.tasks.approval).toMatchObject({ status: 'succeeded', iterations: 1 });
  });

  it('an approval sent with `temporal workflow update execute --name EVENT` is accepted the same way', async () => {
    const taskQueue = uniqueTaskQueue('wait-cli');
    const workflowId = uniqueWorkflowId('wait-cli');
    const { answer, result } = await withWorker({ taskQueue }, async () => {
      const handle = await startGraph(client, taskQueue, workflowId, { definition: APPROVAL });
      await waitingFor(handle, 'approve');
      const answer = await temporalCliJson([
        'workflow',
        'update',
        'execute',
        '--workflow-id',
        workflowId,
        '--name',
        'approve',
        '--input',
        '{"by":"bob","note":"ship it"}',
      ]);
      return { answer, result: await handle.result() };
    });
    expect(JSON.stringify(answer)).toContain('"task":"approval"');
    expect(result.output).toEqual({ by: 'bob', sent: 'approved by bob\n' });
  });

  it('a payload the schema refuses is rejected to the sender with the bad field, and never enters the history', async () => {
    const taskQueue = uniqueTaskQueue('wait-reject');
    const workflowId = uniqueWorkflowId('wait-reject');
    const { refused, unknown, before, events, result } = await withWorker({ taskQueue }, async () => {
      const handle = await startGraph(client, taskQueue, workflowId, { definition: APPROVAL });
      await waitingFor(handle, 'approve');
      const refused = await switchyard(['send', workflowId, 'approve', '--data', '{"by":"","extra":1}']);
      const unknown = await handle.executeUpdate<EventAccepted, [unknown]>('approve', { args: [[1, 2]] }).then(
        () => undefined,
        (error: unknown) => error,
      );
      const before = await historyOf(handle);
      const view = await stateOf(handle);
      await handle.executeUpdate<EventAccepted, [unknown]>('approve', { args: [{ by: 'cy' }] });
      return {
        refused,
        unknown,
        before: { events: before, view },
        events: await historyOf(handle),
        result: await handle.result(),
      };
    });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`run ${workflowId} refused 'approve'`);
    expect(refused.stderr).toContain('data.by: at least 1 characters, got 0');
    expect(refused.stderr).toContain('data.extra: not allowed here');
    expect(unknown).toBeInstanceOf(WorkflowUpdateFailedError);
    expect((unknown as WorkflowUpdateFailedError).cause?.message).toContain('data: expected object, got array [1,2]');
    // Rejected in the validator: no Update event in history, and the run still waits.
    expect(updateEvents(before.events)).toBe(0);
    expect(before.view?.waiting.map((wait) => wait.task)).toEqual(['approval']);
    expect(updateEvents(events)).toBe(1);
    expect(result.output).toMatchObject({ by: 'cy' });
  });

  it('an event no task waits for yet, or on a closed run, is refused, naming what the run waits for', async () => {
    const taskQueue = uniqueTaskQueue('wait-none');
    const workflowId = uniqueWorkflowId('wait-none');
    const gate = join(tempDir('wait-none'), 'open');
    const { early, closed } = await withWorker({ taskQueue }, async () => {
      const handle = await startGraph(client, taskQueue, workflowId, { definition: GATED_APPROVAL, input: { gate } });
      await pollFor('draft to run', async () => ((await stateOf(handle))?.running.length === 1 ? true : undefined));
      const early = await switchyard(['send', workflowId, 'approve', '--data', '{"by":"eve"}']);
      writeFileSync(gate, '');
      await waitingFor(handle, 'approve');
      await handle.executeUpdate<EventAccepted, [unknown]>('approve', { args: [{ by: 'dee' }] });
      await handle.result();
      return { early, closed: await switchyard(['send', workflowId, 'approve', '--data', '{"by":"eve"}']) };
    });
    expect(early.code).toBe(1);
    expect(early.stderr).toContain("refused 'approve': no task of this run waits for 'approve' now (it waits for no event)");
    expect(closed.code).toBe(1);
    expect(closed.stderr).toContain("refused 'approve': it is completed and waits for nothing");
  });

  it('a timed-out wait is a task failure that a `when: failed` transition handles', async () => {
    const taskQueue = uniqueTaskQueue('wait-timeout');
    const { result, events } = await withWorker({ taskQueue }, async () => {
      const handle = await startGraph(client, taskQueue, uniqueWorkflowId('wait-timeout'), { definition: TIMEOUT });
      return { result: await handle.result(), events: await historyOf(handle) };
    });
    expect(result.output).toEqual({ why: "no event 'approve' arrived within 1s", type: 'WaitTimedOut' });
    expect(result.tasks.approval).toMatchObject({ status: 'failed', lastError: "no event 'approve' arrived within 1s" });
    expect(summariesOf(activityTimeline(events), 'completed')).toEqual(['remind']);
    expect(eventIds(events, EventType.EVENT_TYPE_TIMER_FIRED)).toHaveLength(1);
  });

  it('a wait inside a loop that continues-as-new carries its wait and is answered in a later run', async () => {
    const taskQueue = uniqueTaskQueue('wait-loop');
    const workflowId = uniqueWorkflowId('wait-loop');
    const { first, sent, result, view } = await withWorker({ taskQueue }, async () => {
      const handle = await startGraph(client, taskQueue, workflowId, { definition: LOOP, continueAsNewAfterEvents: 25 });
      const view = await pollFor('the loop to continue-as-new and wait again', async () => {
        const state = await stateOf(handle);
        return state !== undefined && state.generation >= 1 && state.waiting.length > 0 ? state : undefined;
      });
      const sent = await handle.executeUpdate<EventAccepted, [unknown]>('approve', { args: ['yes'] });
      return {
        // The first run of the chain, closed by its continue-as-new.
        first: await historyOf(client.workflow.getHandle(workflowId, handle.firstExecutionRunId)),
        sent,
        result: await handle.result(),
        view,
      };
    });
    // The first run continued-as-new while its task waited: the wait is in its continue-as-new input.
    const carried = continuedInput(first);
    expect(carried?.resume).toMatchObject({ waits: [{ task: 'ask', event: 'approve' }] });
    expect(view.generation).toBeGreaterThanOrEqual(1);
    expect(sent.task).toBe('ask');
    expect(result.output).toBe('yes');
    expect(result.tasks.ask?.status).toBe('succeeded');
    expect(result.tasks.ask?.iterations).toBeGreaterThan(1);
  });

  it('join: first — the first source fires; the losing script is cancelled, its process stopped, its receipt cancelled', async () => {
    const taskQueue = uniqueTaskQueue('race');
    const marker = sleepMarker();
    const gate = join(tempDir('race'), 'open');
    const { result, events, running } = await withWorker({ taskQueue }, async () => {
      const handle = await startGraph(client, taskQueue, uniqueWorkflowId('race'), {
        definition: RACE,
        input: { marker, gate },
      });
      const running = await pollFor('the slow script to run', () =>
        processesMatching(`sleep ${marker}`).length > 0 ? true : undefined,
      );
      writeFileSync(gate, '');
      return { running, result: await handle.result(), events: await historyOf(handle) };
    });
    expect(running).toBe(true);
    expect(await processesGone(`sleep ${marker}`)).toEqual([]);
    expect(result.output).toBe('fast\n');
    expect(result.tasks.slow?.status).toBe('cancelled');
    expect(result.tasks.pick).toMatchObject({ status: 'succeeded', iterations: 1 });
    expect(result.receipts.find((receipt) => receipt.task === 'slow')).toMatchObject({ outcome: 'cancelled' });
    const timeline = activityTimeline(events);
    expect(summariesOf(timeline, 'cancelRequested')).toEqual(['slow']);
    expect(summariesOf(timeline, 'canceled')).toEqual(['slow']);
  });
});
