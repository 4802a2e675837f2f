/**
 * Upgrade safety (README "Upgrades"): a run that continued-as-new under an older Switchyard
 * resumes on today's code. The input is the real continue-as-new input recorded from the
 * version before the conductor regrouping (state format 1, with the definition inside it, an
 * open join barrier, a grown ctx and an armed whole-run timeout), taken from the
 * ContinuedAsNew event of test/histories/v1-continue-as-new-carry-first-run.json. The
 * replay tier shows the old histories still replay; this shows the old state still runs.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Client } from '@temporalio/client';
import type { InterpretInput, InterpretResult } from '../../../src/workflows/index.js';
import { uniqueTaskQueue, useClient, withWorker } from '../harness.js';
import { continuedInput, historyOf, startGraph, uniqueWorkflowId } from './support.js';

const fixtures = new URL('../../fixtures/upgrade/', import.meta.url);
const read = (name: string): unknown => JSON.parse(readFileSync(new URL(name, fixtures), 'utf8'));

interface RecordedV1State {
  format: number;
  workflow: { startTime: string };
  timers: { dueAt: number }[];
}

/**
 * The recorded input with the run chain's clock moved to `startedMsAgo` before now: the old
 * run's deadline and start time are instants of the day it was recorded, and only their
 * distance from now matters to a resumed run.
 */
function recordedInput(startedMsAgo: number): InterpretInput & { resume: RecordedV1State } {
  const input = read('v1-continue-as-new-input.json') as InterpretInput & { resume: RecordedV1State };
  const start = Date.parse(input.resume.workflow.startTime);
  const shift = Date.now() - startedMsAgo - start;
  input.resume.workflow.startTime = new Date(start + shift).toISOString();
  for (const timer of input.resume.timers) timer.dueAt += shift;
  return input;
}

describe('interpretGraph: upgrades', () => {
  let client: Client;
  useClient((c) => (client = c));

  it('resumes a run from the continue-as-new input of the previous version and ends as that version did', async () => {
    const input = recordedInput(0);
    expect(input.resume.format).toBe(1);
    const expected = read('v1-continue-as-new-result.json') as InterpretResult;
    const taskQueue = uniqueTaskQueue('upgrade');
    const workflowId = uniqueWorkflowId('upgrade');
    const { result, passedOn } = await withWorker({ taskQueue }, async () => {
      const handle = await startGraph(client, taskQueue, workflowId, input);
      const result = await handle.result();
      const resumed = await historyOf(client.workflow.getHandle(workflowId, handle.firstExecutionRunId));
      return { result, passedOn: continuedInput(resumed) };
    });
    // The resumed run continued-as-new in turn (its budget is 40 events): what it passed on is
    // today's format, and the definition travels once, beside the state, not inside it.
    expect(passedOn?.resume).toMatchObject({ format: 2, generation: 1 });
    expect(passedOn?.resume).not.toHaveProperty('definition');
    expect(passedOn?.definition).toEqual(input.definition);
    expect(result.output).toEqual(expected.output);
    expect(result.tasks).toEqual(expected.tasks);
    // Receipts the old run kept travel on: the carried ones plus those of the resumed runs.
    expect(result.receipts.map((receipt) => `${receipt.task}#${receipt.iteration}`)).toEqual(
      expected.receipts.map((receipt) => `${receipt.task}#${receipt.iteration}`),
    );
  });

  it("keeps the old run's whole-run timeout: re-armed for what is left of it, counted from the old chain's start", async () => {
    // The chain started 9½ minutes ago with `timeout: 10m`: at most 30 s are left, not a fresh 10 minutes.
    const input = recordedInput(9.5 * 60_000);
    const taskQueue = uniqueTaskQueue('upgrade-deadline');
    const workflowId = uniqueWorkflowId('upgrade-deadline');
    const events = await withWorker({ taskQueue }, async () => {
      const handle = await startGraph(client, taskQueue, workflowId, input);
      await handle.result();
      return historyOf(client.workflow.getHandle(workflowId, handle.firstExecutionRunId));
    });
    const timers = events.flatMap((event) => {
      const timeout = event.timerStartedEventAttributes?.startToFireTimeout;
      return timeout ? [Number(timeout.seconds ?? 0) * 1000 + Math.round((timeout.nanos ?? 0) / 1e6)] : [];
    });
    expect(timers).toHaveLength(1);
    expect(timers[0]).toBeGreaterThan(0);
    expect(timers[0]).toBeLessThanOrEqual(30_000);
  });
});
