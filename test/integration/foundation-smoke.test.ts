/**
 * Foundation smoke test (issue 2): a real worker runs a workflow on the real dev server;
 * the ecosystem's own client — the `temporal` CLI — then finds the run by Switchyard's
 * search attribute and describes it; the Web UI answers over HTTP.
 */
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import type { Client } from '@temporalio/client';
import { GRAPH_KEY as GRAPH } from '../../src/constants.js';
import { temporalCliJson, testServer, uniqueTaskQueue, useClient, withWorker } from './harness.js';
import { smokeWorkflow } from './workflows/smoke.js';

const SMOKE_WORKFLOWS = fileURLToPath(new URL('./workflows/smoke.ts', import.meta.url));

describe('foundation: real dev server, worker, CLI and Web UI', () => {
  let client: Client;
  useClient((c) => (client = c));

  it('runs a workflow that the temporal CLI then lists by search attribute and describes', async () => {
    const taskQueue = uniqueTaskQueue('smoke');
    const graph = `smoke-${randomUUID()}`;
    const workflowId = `smoke-${randomUUID()}`;
    const result = await withWorker(
      { taskQueue, workflowsPath: SMOKE_WORKFLOWS, activities: { greet: async (name: string) => `hello, ${name}` } },
      () =>
        client.workflow.execute(smokeWorkflow, {
          taskQueue,
          workflowId,
          args: ['switchyard'],
          typedSearchAttributes: [{ key: GRAPH, value: graph }],
        }),
    );
    expect(result).toBe('hello, switchyard');

    // Visibility is eventually consistent: poll (bounded) until the list shows the run.
    let listed: unknown[] = [];
    for (let i = 0; i < 40 && listed.length === 0; i++) {
      const out = await temporalCliJson(['workflow', 'list', '--query', `SwitchyardGraph="${graph}"`]);
      listed = Array.isArray(out) ? out : [out];
      if (listed.length === 0) await sleep(250);
    }
    expect(listed).toHaveLength(1);
    expect(listed[0]).toMatchObject({ execution: { workflowId } });

    const described = await temporalCliJson(['workflow', 'describe', '--workflow-id', workflowId]);
    expect(described).toMatchObject({
      workflowExecutionInfo: { execution: { workflowId }, status: 'WORKFLOW_EXECUTION_STATUS_COMPLETED', taskQueue },
    });
  });

  it('serves the Web UI over HTTP', async () => {
    const { uiUrl } = testServer();
    // With TEMPORAL_ADDRESS the tier borrows a server and may have no UI of ours to check.
    if (!uiUrl) return;
    const response = await fetch(uiUrl);
    expect(response.status).toBe(200);
    expect(await response.text()).toMatch(/<html/i);
  });
});
