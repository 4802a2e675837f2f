/**
 * Who starts a script's process (script/spawner.ts, issue 13): by default a small helper
 * process, so the worker never forks itself; SWITCHYARD_SCRIPT_SPAWNER=direct keeps the
 * worker's own spawn. Both give the script the same argv, environment, stdin and output.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runScript, scriptInputSchema } from '../../../src/activities/script.js';
import { spawnerSetting } from '../../../src/activities/script/spawner.js';
import { livingMembers } from '../../../src/activities/script/process-group.js';
import { failureOf, recordingIO, waitFor } from './helpers.js';

/** The parent pid of a process, from /proc. */
function parentOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
}

const shell = 'printf "%s|%s|" "$1" "$GREETING"; cat; echo; echo "$$ $PPID"; echo oops >&2';

describe.each(['helper', 'direct'] as const)('a script started by the %s', (spawner) => {
  it('gets its argv, env and stdin, and gives back stdout, stderr and the exit code', async () => {
    const input = scriptInputSchema.parse({ shell, args: ['a b'], env: { GREETING: 'hi' }, stdin: 'in' });
    const result = await runScript(input, recordingIO(), { spawner });
    const [text, pids] = result.stdout.trimEnd().split('\n') as [string, string];
    expect(text).toBe('a b|hi|in');
    expect(result.stderr).toBe('oops\n');
    expect(result.exitCode).toBe(0);
    // The script's parent: the helper, a process of its own; or this process itself.
    const [, parent] = pids.split(' ').map(Number) as [number, number];
    if (spawner === 'direct') expect(parent).toBe(process.pid);
    else {
      expect(parent).not.toBe(process.pid);
      expect(parentOf(parent)).toBe(process.pid);
    }
  });

  it('fails a missing program as not runnable, naming it', async () => {
    const input = scriptInputSchema.parse({ command: ['/no/such/program'] });
    const failure = await failureOf(runScript(input, recordingIO(), { spawner }));
    expect(failure).toMatchObject({ type: 'ScriptNotRunnable', nonRetryable: true });
    expect(failure.message).toContain('/no/such/program');
  });
});

describe('a spawn helper that dies', () => {
  it("ends the attempt as killed, stops the script's group, and a new helper serves the next script", async () => {
    const io = recordingIO();
    const running = runScript(scriptInputSchema.parse({ command: ['sh', '-c', 'sleep 30 & wait'] }), io, {
      spawner: 'helper',
      heartbeatMs: 50,
    });
    running.catch(() => undefined);
    const pid = await waitFor(() => (io.beats[0] as { pid?: number } | undefined)?.pid);
    const helperPid = parentOf(pid);
    expect(helperPid).not.toBe(process.pid);
    process.kill(helperPid, 'SIGKILL');
    const failure = await failureOf(running);
    expect(failure).toMatchObject({ type: 'ScriptExitError', nonRetryable: false });
    expect(failure.message).toContain('killed by SIGKILL');
    await waitFor(() => ((livingMembers(pid) ?? []).length === 0 ? true : undefined));

    const next = await runScript(scriptInputSchema.parse({ command: ['echo', 'again'] }), recordingIO(), { spawner: 'helper' });
    expect(next.stdout).toBe('again\n');
  });
});

describe('spawnerSetting', () => {
  it('defaults to the helper and names a wrong value', () => {
    expect(spawnerSetting({})).toBe('helper');
    expect(spawnerSetting({ SWITCHYARD_SCRIPT_SPAWNER: 'direct' })).toBe('direct');
    expect(spawnerSetting({ SWITCHYARD_SCRIPT_SPAWNER: 'fork' })).toBe(
      'SWITCHYARD_SCRIPT_SPAWNER="fork": must be helper or direct',
    );
  });
});
