/**
 * SPEC §3 rule 16 (the size budget) end to end on the real dev server: a value over
 * Temporal's payload limit never leaves the workflow. An activity input over it fails that
 * task (transitions may handle it); a result or continue-as-new state over it fails the run;
 * the state query answers a small notice. Before, each of these left the run RUNNING with its
 * workflow task failing over and over (PAYLOADS_TOO_LARGE), so every test also checks that
 * the run closed and that no workflow task ever failed.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Client, WorkflowHandle } from '@temporalio/client';
import { uniqueTaskQueue, useClient, withWorker } from '../harness.js';
import {
  activityTimeline,
  definitionFrom,
  EventType,
  eventIds,
  historyOf,
  pollFor,
  reportOf,
  runFailure,
  startGraph,
  stateOf,
  summariesOf,
  tempDir,
  uniqueWorkflowId,
} from './support.js';

/** 3 MiB of `x`, made inside the workflow by a noop task (no payload carries it in). */
const THREE_MIB = 3 * 1024 * 1024;
const MAKE_BIG = `
  make:
    action: noop
    with: { blob: "{{ $pad('', ${THREE_MIB}, 'x') }}" }
    next: [{ publish: { big: "{{ result.blob }}" }, do: [NEXT] }]`;

/**
 * Waits until the run has closed or a workflow task of it has failed, whichever comes first,
 * then asserts it closed as FAILED or COMPLETED (as `expected`) with no failed workflow task:
 * the bug this file is about shows as a run that never closes.
 */
async function expectClosed(handle: WorkflowHandle, expected: 'FAILED' | 'COMPLETED'): Promise<void> {
  const taskFailures = await pollFor('the run to close (or a workflow task to fail)', async () => {
    const failed = eventIds(await historyOf(handle), EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED);
    if (failed.length > 0) return failed;
    return (await handle.describe()).status.name === 'RUNNING' ? undefined : failed;
  });
  expect(taskFailures, 'failed workflow tasks').toEqual([]);
  expect((await handle.describe()).status.name).toBe(expected);
}

describe('interpretGraph: the payload budget (rule 16)', () => {
  let client: Client;
  useClient((c) => (client = c));

  it('an activity input rendered over the limit fails that task, without an attempt, and `when: failed` handles it', async () => {
    const taskQueue = uniqueTaskQueue('payload-input');
    const definition = definitionFrom(
      `version: 1
name: it-payload-input
tasks:${MAKE_BIG.replace('NEXT', 'summarize')}
  summarize:
    action: script
    retry: { maximum_attempts: 3 }
    with: { command: [echo, "{{ ctx.big }}"] }
    next:
      - when: failed
        publish: { error: "{{ task.error.message }}", type: "{{ task.error.type }}" }
        do: [report]
  report:
    action: script
    with: { command: [echo, reported] }
output: { error: "{{ ctx.error }}", type: "{{ ctx.type }}", reported: "{{ $trim(results.report.stdout) }}" }
`,
    );
    const { handle, result } = await withWorker({ taskQueue }, async () => {
      const handle = await startGraph(client, taskQueue, uniqueWorkflowId('payload-input'), { definition });
      await expectClosed(handle, 'COMPLETED');
      return { handle, result: await handle.result() };
    });

    const bytes = THREE_MIB + '{"command":["echo",""]}'.length;
    expect(result.output).toEqual({
      error: `task \`summarize\`: input is 3.0 MiB (${bytes} bytes), over the 2 MiB payload limit; most of it is with.command[1] (3.0 MiB)`,
      type: 'PayloadTooLarge',
      reported: 'reported',
    });
    expect(result.tasks.summarize).toMatchObject({ status: 'failed', attempts: 0 });
    // summarize never went out; report did.
    expect(summariesOf(activityTimeline(await historyOf(handle)), 'scheduled')).toEqual(['report']);
  });

  it('an unhandled too-large input fails the run fail-fast, naming the task and the size', async () => {
    const taskQueue = uniqueTaskQueue('payload-input-unhandled');
    const definition = definitionFrom(
      `version: 1
name: it-payload-input-unhandled
tasks:${MAKE_BIG.replace('NEXT', 'summarize')}
  summarize:
    action: agent
    with: { prompt: "Summarize: {{ ctx.big }}" }
output: { done: true }
`,
    );
    const { failure } = await withWorker({ taskQueue }, async () => {
      const handle = await startGraph(client, taskQueue, uniqueWorkflowId('payload-input-unhandled'), { definition });
      await expectClosed(handle, 'FAILED');
      return { failure: await runFailure(handle.result()) };
    });
    expect(failure.type).toBe('TaskFailed');
    expect(failure.message).toMatch(
      /^task 'summarize' failed after 0 attempts: task `summarize`: input is 3\.0 MiB \(\d+ bytes\), over the 2 MiB payload limit; most of it is with\.prompt \(3\.0 MiB\) \[PayloadTooLarge\]$/,
    );
  });

  it("a run whose result would be over the limit fails (not stuck), naming the result's field and size", async () => {
    const taskQueue = uniqueTaskQueue('payload-output');
    const definition = definitionFrom(
      `version: 1
name: it-payload-output
tasks:${MAKE_BIG.replace('NEXT', 'tail')}
  tail:
    action: script
    with: { command: [echo, tail] }
output: { summary: "{{ ctx.big }}", tail: "{{ $trim(results.tail.stdout) }}" }
`,
    );
    const { failure } = await withWorker({ taskQueue }, async () => {
      const handle = await startGraph(client, taskQueue, uniqueWorkflowId('payload-output'), { definition });
      await expectClosed(handle, 'FAILED');
      return { failure: await runFailure(handle.result()) };
    });
    expect(failure.type).toBe('PayloadTooLarge');
    expect(failure.message).toMatch(
      /^the run's result is 3\.0 MiB \(\d+ bytes\), over the 2 MiB payload limit; most of it is output\.summary \(3\.0 MiB\)$/,
    );
    expect(reportOf(failure).failure).toMatchObject({ type: 'PayloadTooLarge', path: 'output' });
    expect(reportOf(failure).tasks.tail).toMatchObject({ status: 'succeeded' });
  });

  it('a continue-as-new state over the limit fails the run instead of continuing', async () => {
    const taskQueue = uniqueTaskQueue('payload-continue');
    const definition = definitionFrom(
      `version: 1
name: it-payload-continue
tasks:${MAKE_BIG.replace('NEXT', 'tick')}
  tick:
    action: script
    max_iterations: 5
    with: { command: [echo, tick] }
    next: [{ when: "task.iteration < 5", do: [tick] }]
output: { done: true }
`,
    );
    const { handle, failure } = await withWorker({ taskQueue }, async () => {
      // Drain at the first chance: the loop's next tick is pending, so the run would continue-as-new.
      const handle = await startGraph(client, taskQueue, uniqueWorkflowId('payload-continue'), {
        definition,
        continueAsNewAfterEvents: 1,
      });
      await expectClosed(handle, 'FAILED');
      return { handle, failure: await runFailure(handle.result()) };
    });
    expect(failure.type).toBe('PayloadTooLarge');
    expect(failure.message).toMatch(
      /^the continue-as-new state is 6\.0 MiB \(\d+ bytes\), over the 2 MiB payload limit; most of it is results\.make\.blob \(3\.0 MiB\)$/,
    );
    expect(eventIds(await historyOf(handle), EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW)).toEqual([]);
  });

  it('the state query on a run with a ctx over the limit answers a small notice instead of failing', async () => {
    const taskQueue = uniqueTaskQueue('payload-query');
    const gate = join(tempDir('payload-query'), 'open');
    const definition = definitionFrom(
      `version: 1
name: it-payload-query
input: { gate: "" }
tasks:${MAKE_BIG.replace('NEXT', 'wait')}
  wait:
    action: script
    retry: { maximum_attempts: 1 }
    with:
      shell: 'for i in $(seq 1200); do [ -f "$1" ] && exit 0; sleep 0.05; done; exit 1'
      args: ["{{ input.gate }}"]
output: { done: true }
`,
    );
    const { running, closed } = await withWorker({ taskQueue }, async () => {
      const handle = await startGraph(client, taskQueue, uniqueWorkflowId('payload-query'), { definition, input: { gate } });
      const running = await pollFor('wait to run', async () => {
        const state = await stateOf(handle);
        return state?.running.some((execution) => execution.task === 'wait') ? state : undefined;
      });
      writeFileSync(gate, '');
      await handle.result();
      return { running, closed: await stateOf(handle) };
    });
    for (const state of [running, closed]) {
      expect(state?.tooLarge).toMatch(/^state too large \(\d+ bytes, over the 2 MiB payload limit\): ctx and output left out$/);
      expect(state?.ctx).toEqual({});
      expect(state?.tasks.make).toMatchObject({ status: 'succeeded' });
    }
    expect(closed?.status).toBe('completed');
  });

  it('a 200 KB argv item fails its script task for good after exactly one attempt, naming the item and its size', async () => {
    const taskQueue = uniqueTaskQueue('payload-argv');
    const definition = definitionFrom(
      `version: 1
name: it-payload-argv
input: { big: "" }
tasks:
  shout:
    action: script
    retry: { maximum_attempts: 3, initial_interval: 1s }
    with: { command: [echo, "{{ input.big }}"] }
`,
    );
    const { failure, events } = await withWorker({ taskQueue }, async () => {
      const handle = await startGraph(client, taskQueue, uniqueWorkflowId('payload-argv'), {
        definition,
        input: { big: 'x'.repeat(200_000) },
      });
      await expectClosed(handle, 'FAILED');
      return { failure: await runFailure(handle.result()), events: await historyOf(handle) };
    });
    expect(failure.message).toBe(
      `task 'shout' failed after 1 attempt: script task "shout": command[1] is 195.3 KiB (200001 bytes), over the 128 KiB the OS allows one argument or environment string (MAX_ARG_STRLEN); pass large values on stdin or in a file, not as arguments or environment variables [ScriptArgsTooLarge]`,
    );
    expect(reportOf(failure).tasks.shout).toMatchObject({ status: 'failed', attempts: 1 });
    const started = activityTimeline(events).filter((line) => line.kind === 'started');
    expect(started.map((line) => [line.summary, line.attempt])).toEqual([['shout', 1]]);
  });
});
