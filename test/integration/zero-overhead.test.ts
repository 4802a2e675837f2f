/**
 * Zero-overhead property (issue 4, item 7), counted, not timed: for a chain of N script
 * tasks the interpreter's history has exactly as many events — of exactly the same types —
 * as a hand-written workflow calling the same activity N times in sequence; and a fan-out
 * + next task matches a hand-written Promise.all + one more call. Both run in this test.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Client, WorkflowHandle } from '@temporalio/client';
import proto from '@temporalio/proto';
import { GRAPH_KEY } from '../../src/constants.js';
import { loadDefinitionText } from '../../src/definition/index.js';
import { baselineChain, baselineFanOut, interpretGraph } from '../../src/workflows/index.js';
import { uniqueTaskQueue, useClient, withWorker } from './harness.js';

const { EventType } = proto.temporal.api.enums.v1;
const COMMAND = ['echo', 'x'];

function chain(n: number): string {
  const lines = ['version: 1', `name: chain-${n}`, 'tasks:'];
  for (let i = 1; i <= n; i++) {
    lines.push(`  step${i}:`, '    action: script', `    with: { command: [${COMMAND.join(', ')}] }`);
    if (i < n) lines.push(`    next: [{ do: [step${i + 1}] }]`);
  }
  return `${lines.join('\n')}\n`;
}

function fanOut(n: number): string {
  return [
    'version: 1',
    `name: fan-out-${n}`,
    'tasks:',
    '  each:',
    '    action: script',
    `    items: "{{ [0..${n - 1}] }}"`,
    `    concurrency: ${n}`,
    `    with: { command: [${COMMAND.join(', ')}] }`,
    '    next: [{ do: [after] }]',
    '  after:',
    '    action: script',
    `    with: { command: [${COMMAND.join(', ')}] }`,
    '',
  ].join('\n');
}

/** Event type names of a closed run, in order. */
async function eventTypes(handle: WorkflowHandle): Promise<string[]> {
  const history = await handle.fetchHistory();
  return (history.events ?? []).map((event) => EventType[event.eventType ?? 0] ?? 'unknown');
}

function counts(types: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const type of types) out[type] = (out[type] ?? 0) + 1;
  return out;
}

describe('the interpreter adds no history events', () => {
  let client: Client;
  useClient((c) => (client = c));

  async function interpret(text: string, taskQueue: string): Promise<WorkflowHandle> {
    const report = loadDefinitionText(text);
    if (!report.ok) throw new Error(JSON.stringify(report.problems));
    const handle = await client.workflow.start(interpretGraph, {
      taskQueue,
      workflowId: `zero-${randomUUID()}`,
      args: [{ definition: report.definition }],
      // As `switchyard run` does: the graph is tagged at start, not by an upsert per run.
      typedSearchAttributes: [{ key: GRAPH_KEY, value: report.definition.name }],
    });
    await handle.result();
    return handle;
  }

  async function baseline(
    workflow: typeof baselineChain | typeof baselineFanOut,
    args: [number, string[]],
    taskQueue: string,
  ): Promise<WorkflowHandle> {
    const handle = await client.workflow.start(workflow, {
      taskQueue,
      workflowId: `baseline-${randomUUID()}`,
      args,
      typedSearchAttributes: [{ key: GRAPH_KEY, value: workflow.name }],
    });
    await handle.result();
    return handle;
  }

  it.each([1, 3, 8])('a chain of %i tasks: same events, same types, as the hand-written sequence', async (n) => {
    const taskQueue = uniqueTaskQueue('zero-chain');
    const [interpreted, handWritten] = await withWorker({ taskQueue }, async () => [
      await eventTypes(await interpret(chain(n), taskQueue)),
      await eventTypes(await baseline(baselineChain, [n, COMMAND], taskQueue)),
    ]);
    expect(interpreted.filter((t) => t === 'EVENT_TYPE_ACTIVITY_TASK_COMPLETED')).toHaveLength(n);
    expect(interpreted).toEqual(handWritten);
  });

  it('a fan-out of 4 items then one task: the same activity and run events as Promise.all then one call', async () => {
    const taskQueue = uniqueTaskQueue('zero-fan');
    const [interpreted, handWritten] = await withWorker({ taskQueue }, async () => [
      await eventTypes(await interpret(fanOut(4), taskQueue)),
      await eventTypes(await baseline(baselineFanOut, [4, COMMAND], taskQueue)),
    ]);
    expect(interpreted.filter((t) => t === 'EVENT_TYPE_ACTIVITY_TASK_COMPLETED')).toHaveLength(5);
    // How many workflow tasks parallel completions take depends on how the server happens to
    // batch them (timing), for both workflows alike; every other event must match exactly,
    // and neither may take more than one workflow task per completion plus the first.
    const isWorkflowTask = (t: string) => t.startsWith('EVENT_TYPE_WORKFLOW_TASK_');
    expect(counts(interpreted.filter((t) => !isWorkflowTask(t)))).toEqual(counts(handWritten.filter((t) => !isWorkflowTask(t))));
    for (const types of [interpreted, handWritten]) {
      expect(types.filter((t) => t === 'EVENT_TYPE_WORKFLOW_TASK_COMPLETED').length).toBeLessThanOrEqual(1 + 5);
    }
  });
});
