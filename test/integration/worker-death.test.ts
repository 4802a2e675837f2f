/**
 * Stale work is reclaimed by Temporal itself (SPEC §5): a worker process killed with
 * SIGKILL in the middle of a task stops heartbeating; after the task's heartbeat timeout
 * the server hands the activity to another worker, which finishes the run. Nothing is
 * lost and the task's work is done once more, by the survivor, as attempt 2.
 */
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
import { testServer, uniqueTaskQueue, useClient, withWorker } from './harness.js';

const { PendingActivityState, EventType, TimeoutType } = proto.temporal.api.enums.v1;
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

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
    const { address, namespace } = testServer();
    // Its own process group, so SIGKILL takes the worker and its script together, as a crash would.
    const doomed = spawn(process.execPath, ['--import', 'tsx', 'src/worker.ts'], {
      cwd: ROOT,
      detached: true,
      stdio: 'ignore',
      env: { ...process.env, TEMPORAL_ADDRESS: address, TEMPORAL_NAMESPACE: namespace, SWITCHYARD_TASK_QUEUE: taskQueue },
    });
    const doomedIdentity = `switchyard-worker@${hostname()}:${doomed.pid}`;
    const handle = await startRun(client, { file, taskQueue });

    let startedBy = '';
    for (let i = 0; i < 300 && !startedBy; i++) {
      const { raw } = await handle.describe();
      const started = (raw.pendingActivities ?? []).find((a) => a.state === PendingActivityState.PENDING_ACTIVITY_STATE_STARTED);
      startedBy = started?.lastWorkerIdentity ?? '';
      if (!startedBy) await sleep(100);
    }
    expect(startedBy).toBe(doomedIdentity);
    process.kill(-(doomed.pid ?? 0), 'SIGKILL');

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
