/**
 * `switchyard workers` against a running worker process that polls all but the agent queue,
 * with a deliver rate cap: the run queue and the script/deliver queues list its identity
 * with a last-seen time, the deliver pollers carry the rate cap, and a run's agent task
 * waits in the agent queue's backlog, which no one polls.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import type { Client } from '@temporalio/client';
import { startRun } from '../../src/cli/runs.js';
import type { QueueView } from '../../src/cli/worker-commands.js';
import { switchyard, uniqueTaskQueue, useClient, workflowBundle } from './harness.js';
import { killGroup, spawnWatched, waitForOutput, workerEnv, type WatchedProcess } from './worker-processes.js';

const GRAPH = [
  'version: 1',
  'name: waits-for-an-agent',
  'tasks:',
  '  ask:',
  '    action: agent',
  '    with: { model: m, prompt: "hello" }',
  '',
].join('\n');

describe('switchyard workers', () => {
  let client: Client;
  useClient((c) => (client = c));
  let worker: WatchedProcess | undefined;
  afterAll(() => {
    if (worker) killGroup(worker);
  });

  it('lists pollers per queue with last seen, the rate cap and the backlog', async () => {
    const taskQueue = uniqueTaskQueue('workers');
    const bundle = join(mkdtempSync(join(tmpdir(), 'sy-workers-')), 'workflow-bundle.js');
    writeFileSync(bundle, (await workflowBundle()).code);
    worker = spawnWatched(
      ['node', '--import', 'tsx', 'src/worker.ts'],
      workerEnv(taskQueue, {
        SWITCHYARD_WORKFLOW_BUNDLE: bundle,
        SWITCHYARD_KINDS: 'workflow,script,deliver',
        SWITCHYARD_DELIVER_RATE_PER_SECOND: '5',
      }),
    );
    await waitForOutput(worker, /switchyard worker: metrics|switchyard worker: no metrics/);
    const identity = `switchyard-worker@${hostname()}:${worker.pid}`;
    const file = join(mkdtempSync(join(tmpdir(), 'sy-workers-')), 'agent.yaml');
    writeFileSync(file, GRAPH);
    await startRun(client, { file, taskQueue });

    const byName = (views: QueueView[], name: string, type = 'activity') =>
      views.find((view) => view.taskQueue === name && view.type === type);
    let views: QueueView[] = [];
    // Pollers and backlog stats reach the server's description within a few seconds.
    for (let tries = 0; tries < 60; tries++) {
      const run = await switchyard(['workers', '--task-queue', taskQueue, '--json']);
      expect(run.code, run.stderr).toBe(0);
      views = JSON.parse(run.stdout) as QueueView[];
      const agentQueue = byName(views, `${taskQueue}-agent`);
      const ready =
        (agentQueue?.backlog?.count ?? 0) >= 1 &&
        [`${taskQueue}-script`, `${taskQueue}-deliver`].every((q) => (byName(views, q)?.pollers.length ?? 0) > 0) &&
        (byName(views, taskQueue, 'workflow')?.pollers.length ?? 0) > 0;
      if (ready) break;
      await sleep(500);
    }
    const workflowQueue = byName(views, taskQueue, 'workflow');
    expect(workflowQueue?.pollers.map((p) => p.identity)).toEqual([identity]);
    expect(Date.parse(workflowQueue?.pollers[0]?.lastAccessTime ?? '')).not.toBeNaN();
    expect(byName(views, `${taskQueue}-script`)?.pollers.map((p) => p.identity)).toEqual([identity]);
    expect(byName(views, `${taskQueue}-deliver`)?.pollers.map((p) => p.ratePerSecond)).toEqual([5]);
    expect(byName(views, `${taskQueue}-agent`)?.pollers).toEqual([]);
    expect(byName(views, `${taskQueue}-agent`)?.backlog?.count).toBe(1);

    const human = await switchyard(['workers', '--task-queue', taskQueue]);
    expect(human.code).toBe(0);
    expect(human.stdout).toContain(`${taskQueue}-agent [activity: agent]  backlog 1`);
    expect(human.stdout).toContain(`${taskQueue}-deliver [activity: deliver]`);
    expect(human.stdout).toContain('rate cap 5/s');
    expect(human.stdout).toContain(`  ${identity}  last seen 20`);
  });
});
