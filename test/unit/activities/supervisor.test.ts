/**
 * No orphans (issue 9): a worker process that dies, even by SIGKILL, takes its scripts'
 * process groups with it — through the per-worker supervisor (script/supervisor.ts), not
 * through any code of the dead process. Real processes: a stand-in worker
 * (test/fixtures/bin/hold-script.ts) runs a script with a background child and is killed.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { livingMembers } from '../../../src/activities/script/process-group.js';
import { SUPERVISOR_NAME } from '../../../src/activities/script/supervisor.js';
import { waitFor } from './helpers.js';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));

/** Starts the stand-in worker on `argv`; resolves with it and its script's pid once the script runs. */
async function holdScript(argv: string[]) {
  const holder = spawn(process.execPath, ['--import', 'tsx', 'test/fixtures/bin/hold-script.ts', ...argv], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  holder.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const pid = await waitFor(() => {
    const match = /script (\d+)/.exec(output);
    return match ? Number(match[1]) : undefined;
  }, 30_000);
  return { holder, pid };
}

/** Pids of the supervisors `ps` shows for the worker `workerPid`. */
function supervisorsOf(workerPid: number): number[] {
  return execFileSync('ps', ['-eo', 'pid,args'], { encoding: 'utf8' })
    .split('\n')
    .filter((line) => line.trimEnd().endsWith(`${SUPERVISOR_NAME} ${workerPid}`))
    .map((line) => Number(line.trim().split(' ')[0]));
}

describe('script supervisor', () => {
  it("kills a SIGKILLed worker's script and its background child", async () => {
    const { holder, pid } = await holdScript(['sh', '-c', 'sleep 60 & sleep 60; wait', 'orphan-unit-test']);
    // The script's shell and both sleeps are running in the script's group.
    await waitFor(() => ((livingMembers(pid) ?? []).length >= 3 ? true : undefined));
    holder.kill('SIGKILL');
    const left = await waitFor(() => ((livingMembers(pid) ?? [pid]).length === 0 ? [] : undefined), 10_000).catch(() =>
      livingMembers(pid),
    );
    expect(left).toEqual([]);
  }, 30_000);

  it('gives a script that traps SIGTERM its grace, and it exits on its own', async () => {
    const ledger = join(mkdtempSync(join(tmpdir(), 'sy-supervisor-')), 'ledger');
    const { holder, pid } = await holdScript([
      'sh',
      '-c',
      `trap 'echo terminated > ${ledger}; exit 0' TERM; sleep 60 & wait`,
      'orphan-unit-trap',
    ]);
    await waitFor(() => ((livingMembers(pid) ?? []).length >= 2 ? true : undefined));
    holder.kill('SIGKILL');
    await waitFor(() => ((livingMembers(pid) ?? [pid]).length === 0 ? true : undefined), 10_000);
    // It ran its trap: SIGTERM first, not SIGKILL.
    expect(readFileSync(ledger, 'utf8')).toBe('terminated\n');
  }, 30_000);

  it('is started again if it is killed, and still knows the running groups', async () => {
    const { holder, pid } = await holdScript(['sh', '-c', 'sleep 60 & wait', 'orphan-unit-restart']);
    await waitFor(() => ((livingMembers(pid) ?? []).length >= 2 ? true : undefined));
    const [first] = await waitFor(() =>
      supervisorsOf(holder.pid ?? 0).length === 1 ? supervisorsOf(holder.pid ?? 0) : undefined,
    );
    process.kill(first ?? 0, 'SIGKILL');
    await waitFor(() => {
      const now = supervisorsOf(holder.pid ?? 0);
      return now.length === 1 && now[0] !== first ? true : undefined;
    });
    holder.kill('SIGKILL');
    const left = await waitFor(() => ((livingMembers(pid) ?? [pid]).length === 0 ? [] : undefined), 10_000).catch(() =>
      livingMembers(pid),
    );
    expect(left).toEqual([]);
  }, 30_000);
});
