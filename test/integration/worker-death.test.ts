/**
 * Stale work is reclaimed by Temporal itself (SPEC §5): a worker process killed with
 * SIGKILL in the middle of a task stops heartbeating; after the task's heartbeat timeout
 * the server hands the activity to another worker, which finishes the run. Nothing is
 * lost and the task's work is done once more, by the survivor, as attempt 2 — and never
 * beside the dead worker's copy, whose script dies with its worker (issue 9, no orphans).
 */
import { randomUUID } from 'node:crypto';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import type { Client } from '@temporalio/client';
import proto from '@temporalio/proto';
import { startRun } from '../../src/cli/runs.js';
import { processesMatching, testServer, uniqueTaskQueue, useClient, withWorker } from './harness.js';
import { LEDGER_SCRIPT, overlaps, readLedger } from './ledger.js';

const { PendingActivityState, EventType, TimeoutType } = proto.temporal.api.enums.v1;
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** A Switchyard worker as its own process (and process group), on the tier's server. */
function spawnWorker(taskQueue: string) {
  const { address, namespace } = testServer();
  const worker = spawn(process.execPath, ['--import', 'tsx', 'src/worker.ts'], {
    cwd: ROOT,
    detached: true,
    stdio: 'ignore',
    env: { ...process.env, TEMPORAL_ADDRESS: address, TEMPORAL_NAMESPACE: namespace, SWITCHYARD_TASK_QUEUE: taskQueue },
  });
  return { worker, identity: `switchyard-worker@${hostname()}:${worker.pid}` };
}

describe('a worker killed mid-task', () => {
  let client: Client;
  useClient((c) => (client = c));

  it('loses the task to another worker after the heartbeat timeout; the run completes', async () => {
    const taskQueue = uniqueTaskQueue('death');
    const file = join(mkdtempSync(join(tmpdir(), 'sy-death-')), 'long.yaml');
    writeFileSync(
      file,
      [
        'version: 1',
        'name: long-task',
        'tasks:',
        '  work:',
        '    action: script',
        '    with: { command: [sh, -c, "sleep 3; echo finished"] }',
        '    heartbeat: 2s',
        '    retry: { maximum_attempts: 3, initial_interval: 100ms }',
        '',
      ].join('\n'),
    );
    const doomed = spawnWorker(taskQueue);
    const handle = await startRun(client, { file, taskQueue });

    let startedBy = '';
    for (let i = 0; i < 300 && !startedBy; i++) {
      const { raw } = await handle.describe();
      const started = (raw.pendingActivities ?? []).find((a) => a.state === PendingActivityState.PENDING_ACTIVITY_STATE_STARTED);
      startedBy = started?.lastWorkerIdentity ?? '';
      if (!startedBy) await sleep(100);
    }
    expect(startedBy).toBe(doomed.identity);
    // The whole process group, as a crash of the worker's container would take it.
    process.kill(-(doomed.worker.pid ?? 0), 'SIGKILL');

    const result = await withWorker({ taskQueue }, () => handle.result());
    expect(result.status).toBe('completed');
    const receipt = result.receipts.find((r) => r.task === 'work');
    expect(receipt).toMatchObject({
      attempt: 2,
      outcome: 'succeeded',
      workerIdentity: `switchyard-worker@${hostname()}:${process.pid}`,
    });

    // The server's own record: attempt 2 started after a heartbeat timeout of attempt 1.
    const events = (await handle.fetchHistory()).events ?? [];
    const started = events.filter((e) => e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED);
    expect(started).toHaveLength(1);
    const attrs = started[0]?.activityTaskStartedEventAttributes;
    expect(attrs?.attempt).toBe(2);
    expect(attrs?.lastFailure?.timeoutFailureInfo?.timeoutType).toBe(TimeoutType.TIMEOUT_TYPE_HEARTBEAT);
  });
});

describe('a worker killed mid-script leaves no orphan', () => {
  let client: Client;
  useClient((c) => (client = c));

  it('its script is gone before the heartbeat timeout hands the task on; the retry never overlaps it', async () => {
    const taskQueue = uniqueTaskQueue('orphan');
    const dir = mkdtempSync(join(tmpdir(), 'sy-orphan-'));
    const ledger = join(dir, 'ledger');
    const marker = `sy-orphan-${randomUUID()}`;
    const file = join(dir, 'long.yaml');
    writeFileSync(
      file,
      [
        'version: 1',
        'name: long-script',
        'tasks:',
        '  work:',
        '    action: script',
        `    with: { command: [sh, -c, ${JSON.stringify(LEDGER_SCRIPT)}, ${marker}, ${ledger}, work, "6"] }`,
        '    heartbeat: 2s',
        '    retry: { maximum_attempts: 3, initial_interval: 100ms }',
        '',
      ].join('\n'),
    );
    const doomed = spawnWorker(taskQueue);
    const handle = await startRun(client, { file, taskQueue });
    for (let i = 0; i < 600 && processesMatching(marker).length === 0; i++) await sleep(100);
    expect(processesMatching(marker)).toHaveLength(1);
    expect((await handle.describe()).raw.pendingActivities?.[0]?.lastWorkerIdentity).toBe(doomed.identity);

    process.kill(doomed.worker.pid ?? 0, 'SIGKILL');
    // No worker polls now. Wait for the server to give up on attempt 1 (heartbeat timeout):
    // at that moment the dead worker's script must already be gone.
    let attempt = 1;
    for (let i = 0; i < 600 && attempt < 2; i++) {
      const { raw } = await handle.describe();
      attempt = raw.pendingActivities?.[0]?.attempt ?? 1;
      if (attempt < 2) await sleep(50);
    }
    expect(attempt).toBe(2);
    expect(processesMatching(marker)).toEqual([]);

    const result = await withWorker({ taskQueue }, () => handle.result());
    expect(result.status).toBe('completed');
    expect(result.receipts.find((r) => r.task === 'work')).toMatchObject({
      attempt: 2,
      outcome: 'succeeded',
      workerIdentity: `switchyard-worker@${hostname()}:${process.pid}`,
    });
    // The scripts' own account: the killed attempt was stopped (SIGTERM from the supervisor),
    // the retry ran to its end, and the two never ran at the same time.
    const executions = readLedger(ledger);
    expect(executions.map((e) => e.how)).toEqual(['stop', 'end']);
    expect(overlaps(executions)).toEqual([]);
  });
});
