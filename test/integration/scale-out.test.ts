/**
 * Workers scale out (SPEC §6) and a dead one's work is reclaimed (SPEC §5): three real worker
 * processes — the command the image runs, with its prebuilt bundle — poll one task queue on
 * one server; 60 runs of a two-task graph spread over all three, as the receipts show; one
 * worker is SIGKILLed while it holds a task, and every run still completes, the killed
 * worker's task finished by a survivor as a later attempt after its heartbeat timeout.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import type { Client } from '@temporalio/client';
import proto from '@temporalio/proto';
import { startRun } from '../../src/cli/runs.js';
import type { InterpretResult } from '../../src/workflows/index.js';
import { uniqueTaskQueue, useClient, workflowBundle } from './harness.js';
import { killGroup, spawnWatched, waitForOutput, workerEnv, type WatchedProcess } from './worker-processes.js';

const { PendingActivityState } = proto.temporal.api.enums.v1;
const RUNS = 60;
const WORKERS = 3;

/** Two short script tasks; a short heartbeat timeout so a dead worker's task moves on quickly. */
const GRAPH = [
  'version: 1',
  'name: scale-out',
  'tasks:',
  '  first:',
  '    action: script',
  '    with: { command: [sleep, "1"] }',
  '    heartbeat: 2s',
  '    retry: { maximum_attempts: 5, initial_interval: 100ms }',
  '    next: [{ do: [second] }]',
  '  second:',
  '    action: script',
  '    with: { command: [sleep, "1"] }',
  '    heartbeat: 2s',
  '    retry: { maximum_attempts: 5, initial_interval: 100ms }',
  '',
].join('\n');

describe('scale-out over three worker processes', () => {
  let client: Client;
  useClient((c) => (client = c));
  const workers: WatchedProcess[] = [];
  afterAll(() => {
    for (const worker of workers) killGroup(worker);
  });

  it('spreads 60 runs over all three; one SIGKILLed mid-run loses nothing', async () => {
    const taskQueue = uniqueTaskQueue('scale-out');
    // One prebuilt bundle for all three, as the image's workers share theirs.
    const bundle = join(mkdtempSync(join(tmpdir(), 'sy-scale-')), 'workflow-bundle.js');
    writeFileSync(bundle, (await workflowBundle()).code);
    for (let i = 0; i < WORKERS; i++) {
      workers.push(
        spawnWatched(['node', '--import', 'tsx', 'src/worker.ts'], workerEnv(taskQueue, { SWITCHYARD_WORKFLOW_BUNDLE: bundle })),
      );
    }
    await Promise.all(workers.map((worker) => waitForOutput(worker, /switchyard worker: connected to /)));
    const identities = workers.map((worker) => `switchyard-worker@${hostname()}:${worker.pid}`);
    const [victim] = workers;
    const victimIdentity = identities[0];
    if (victim?.pid === undefined || !victimIdentity) throw new Error('the first worker did not start');
    const victimPid = victim.pid;

    const file = join(mkdtempSync(join(tmpdir(), 'sy-scale-')), 'scale-out.yaml');
    writeFileSync(file, GRAPH);
    // Started over a few seconds, so that some runs have finished while others are in flight.
    const handles = [];
    const finished: InterpretResult[] = [];
    const results: Promise<InterpretResult>[] = [];
    for (let i = 0; i < RUNS; i++) {
      const handle = await startRun(client, { file, taskQueue, workflowId: `scale-out-${taskQueue}-${i}` });
      handles.push(handle);
      results.push(
        handle.result().then((result) => {
          finished.push(result);
          return result;
        }),
      );
      await sleep(100);
    }

    // Kill the victim once it has finished work (its receipts exist) and holds a task now.
    let heldBy: string | undefined;
    for (let round = 0; round < 600 && !heldBy; round++) {
      const victimFinishedWork = finished.some((result) => result.receipts.some((r) => r.workerIdentity === victimIdentity));
      if (victimFinishedWork) {
        for (const handle of handles) {
          const { raw } = await handle.describe();
          const held = (raw.pendingActivities ?? []).find(
            (a) => a.state === PendingActivityState.PENDING_ACTIVITY_STATE_STARTED && a.lastWorkerIdentity === victimIdentity,
          );
          if (held) {
            heldBy = handle.workflowId;
            break;
          }
        }
      }
      if (!heldBy) await sleep(100);
    }
    expect(heldBy, 'the victim never held a task after finishing one').toBeDefined();
    process.kill(-victimPid, 'SIGKILL');

    // Every run completes.
    const all = await Promise.all(results);
    expect(all.map((result) => result.status)).toEqual(Array(RUNS).fill('completed'));
    const receipts = all.flatMap((result) => result.receipts);
    expect(receipts).toHaveLength(RUNS * 2);
    expect(receipts.every((r) => r.outcome === 'succeeded')).toBe(true);

    // The work spread over all three workers.
    const perWorker = new Map(identities.map((identity) => [identity, 0]));
    for (const receipt of receipts) perWorker.set(receipt.workerIdentity, (perWorker.get(receipt.workerIdentity) ?? 0) + 1);
    expect([...perWorker.keys()].sort()).toEqual([...identities].sort());
    for (const identity of identities) expect(perWorker.get(identity), identity).toBeGreaterThan(0);
    console.log(`scale-out: receipts per worker ${JSON.stringify(Object.fromEntries(perWorker))}`);

    // The task the victim held was finished by a survivor, as a later attempt.
    const held = all[handles.findIndex((handle) => handle.workflowId === heldBy)];
    const retried = held?.receipts.filter((r) => r.attempt > 1) ?? [];
    expect(retried.length).toBeGreaterThan(0);
    for (const receipt of retried) expect(receipt.workerIdentity).not.toBe(victimIdentity);
  });
});
