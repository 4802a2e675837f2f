/**
 * SPEC §3 rule 19 on the real dev server: `action: graph` runs another definition as a child
 * workflow — visible to `temporal workflow list` with its parent's id, its output the task's
 * result, carried in the parent's input (editing the file changes no started run), fanned
 * out over items, and cancelled with its parent (its script stopped).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CancelledFailure, WorkflowFailedError, type Client } from '@temporalio/client';
import { graphLoadOptions } from '../../../src/cli/graph-files.js';
import { loadDefinitionText } from '../../../src/definition/index.js';
import { temporalCliJson, uniqueTaskQueue, useClient, withWorker } from '../harness.js';
import { pollFor, processesGone, processesMatching, sleepMarker, startGraph, tempDir, uniqueWorkflowId } from './support.js';

/** Writes `files` into a fresh folder and loads `main` from it as the CLI does (subgraphs resolved). */
function loadFrom(files: Record<string, string>, main: string): { definition: Record<string, unknown>; dir: string } {
  const dir = tempDir('subgraph');
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  const path = join(dir, main);
  const loaded = loadDefinitionText(files[main] ?? '', path, graphLoadOptions(path));
  if (!loaded.ok) throw new Error(`${main} is invalid: ${JSON.stringify(loaded.problems)}`);
  return { definition: loaded.definition as unknown as Record<string, unknown>, dir };
}

const CHILD = (word: string) => `
version: 1
name: it-child
input: { topic: none, gate: "" }
tasks:
  wait_gate: { action: script, with: { command: [sh, -c, 'until [ -e "$1" ]; do sleep 0.05; done', gate, "{{ input.gate }}"] }, next: [{ do: [say] }] }
  say: { action: script, with: { command: [echo, "${word} {{ input.topic }}"] } }
output: "{{ $trim(results.say.stdout) }}"
`;

const PARENT = `
version: 1
name: it-parent
input: { gate: "" }
tasks:
  research:
    action: graph
    with: { file: child.yaml, input: { topic: ships, gate: "{{ input.gate }}" } }
    next: [{ publish: { found: "{{ result }}" } }]
output: "{{ ctx.found }}"
`;

const FAN = `
version: 1
name: it-parent-fan
tasks:
  each:
    action: graph
    items: '["a", "b", "c"]'
    concurrency: 2
    with: { file: echo.yaml, input: { word: "{{ item }}" } }
output: "{{ results.each }}"
`;

const ECHO = `
version: 1
name: it-echo
input: { word: "" }
tasks:
  say: { action: script, with: { command: [echo, "{{ input.word }}"] } }
output: "{{ $trim(results.say.stdout) }}"
`;

const SLEEPY_PARENT = `
version: 1
name: it-parent-cancel
input: { marker: "" }
tasks:
  sub: { action: graph, with: { file: sleepy.yaml, input: { marker: "{{ input.marker }}" } } }
`;

const SLEEPY = `
version: 1
name: it-sleepy
input: { marker: "" }
tasks:
  nap: { action: script, heartbeat: 2s, with: { command: [sleep, "{{ input.marker }}"] } }
`;

interface ListedRun {
  execution: { workflowId: string };
  parentExecution?: { workflowId: string };
  status: string;
}

describe('interpretGraph: subgraphs as child workflows (rule 19)', () => {
  let client: Client;
  useClient((c) => (client = c));

  it('a graph task runs the child as a child workflow with its parent id; its output is the result; editing the file changes no started run', async () => {
    const taskQueue = uniqueTaskQueue('subgraph');
    const workflowId = uniqueWorkflowId('subgraph');
    const { definition, dir } = loadFrom({ 'parent.yaml': PARENT, 'child.yaml': CHILD('found') }, 'parent.yaml');
    const gate = join(dir, 'open');
    const { result, children } = await withWorker({ taskQueue }, async () => {
      const handle = await startGraph(client, taskQueue, workflowId, { definition, input: { gate } });
      const children = await pollFor('the child to be listed', async () => {
        const listed = (await temporalCliJson([
          'workflow',
          'list',
          '--query',
          `ParentWorkflowId="${workflowId}"`,
        ])) as ListedRun[];
        return listed.length > 0 ? listed : undefined;
      });
      // The run carries the child definition it started with: editing the file now changes nothing.
      writeFileSync(join(dir, 'child.yaml'), CHILD('edited'));
      writeFileSync(gate, '');
      return { result: await handle.result(), children };
    });
    expect(children).toHaveLength(1);
    expect(children[0]?.execution.workflowId).toBe(`${workflowId}/research-1`);
    expect(children[0]?.parentExecution?.workflowId).toBe(workflowId);
    expect(result.output).toBe('found ships');
    expect(result.tasks.research).toMatchObject({ status: 'succeeded', iterations: 1 });
    const child = await client.workflow.getHandle(`${workflowId}/research-1`).result();
    expect(child).toMatchObject({ status: 'completed', output: 'found ships' });
  });

  it('a graph task may name its child by its name: (a file next to it), and it runs the same way', async () => {
    const taskQueue = uniqueTaskQueue('subgraph-name');
    const workflowId = uniqueWorkflowId('subgraph-name');
    const byName = `
version: 1
name: it-parent-by-name
tasks:
  each:
    action: graph
    items: '["x", "y"]'
    with: { name: it-echo, input: { word: "{{ item }}" } }
output: "{{ results.each }}"
`;
    const { definition } = loadFrom({ 'by-name.yaml': byName, 'any-file-name.yaml': ECHO }, 'by-name.yaml');
    const result = await withWorker({ taskQueue }, async () =>
      (await startGraph(client, taskQueue, workflowId, { definition })).result(),
    );
    expect(result.output).toEqual(['x', 'y']);
    const listed = (await temporalCliJson(['workflow', 'list', '--query', `ParentWorkflowId="${workflowId}"`])) as ListedRun[];
    expect(listed).toHaveLength(2);
  });

  it('fans out over items: one child per item, results in item order', async () => {
    const taskQueue = uniqueTaskQueue('subgraph-fan');
    const workflowId = uniqueWorkflowId('subgraph-fan');
    const { definition } = loadFrom({ 'fan.yaml': FAN, 'echo.yaml': ECHO }, 'fan.yaml');
    const result = await withWorker({ taskQueue }, async () =>
      (await startGraph(client, taskQueue, workflowId, { definition })).result(),
    );
    expect(result.output).toEqual(['a', 'b', 'c']);
    const listed = (await temporalCliJson(['workflow', 'list', '--query', `ParentWorkflowId="${workflowId}"`])) as ListedRun[];
    expect(listed.map((run) => run.execution.workflowId).sort()).toEqual([0, 1, 2].map((i) => `${workflowId}/each-1-${i}`));
  });

  it("cancelling the parent cancels the child; the child's script is stopped and both close cancelled", async () => {
    const taskQueue = uniqueTaskQueue('subgraph-cancel');
    const workflowId = uniqueWorkflowId('subgraph-cancel');
    const marker = sleepMarker();
    const { definition } = loadFrom({ 'parent.yaml': SLEEPY_PARENT, 'sleepy.yaml': SLEEPY }, 'parent.yaml');
    const { parent, child } = await withWorker({ taskQueue }, async () => {
      const handle = await startGraph(client, taskQueue, workflowId, { definition, input: { marker } });
      await pollFor('the child script to run', () => (processesMatching(`sleep ${marker}`).length > 0 ? true : undefined));
      await handle.cancel();
      const parent = await handle.result().then(
        () => undefined,
        (error: unknown) => error,
      );
      const child = await client.workflow
        .getHandle(`${workflowId}/sub-1`)
        .result()
        .then(
          () => undefined,
          (error: unknown) => error,
        );
      return { parent, child };
    });
    expect(await processesGone(`sleep ${marker}`)).toEqual([]);
    expect(parent).toBeInstanceOf(WorkflowFailedError);
    expect((parent as WorkflowFailedError).cause).toBeInstanceOf(CancelledFailure);
    expect(child).toBeInstanceOf(WorkflowFailedError);
    expect((child as WorkflowFailedError).cause).toBeInstanceOf(CancelledFailure);
  });
});
