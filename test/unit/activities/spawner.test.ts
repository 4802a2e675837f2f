/**
 * Who starts a script's process (script/spawner.ts, issue 13): by default a small helper
 * process, so the worker never forks itself; SWITCHYARD_SCRIPT_SPAWNER=direct keeps the
 * worker's own spawn. Both give the script the same argv, environment, stdin and output.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runScript, scriptInputSchema } from '../../../src/activities/script.js';
import { spawnerSetting } from '../../../src/activities/script/spawner.js';
import { failureOf, recordingIO } from './helpers.js';

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

describe('spawnerSetting', () => {
  it('defaults to the helper and names a wrong value', () => {
    expect(spawnerSetting({})).toBe('helper');
    expect(spawnerSetting({ SWITCHYARD_SCRIPT_SPAWNER: 'direct' })).toBe('direct');
    expect(spawnerSetting({ SWITCHYARD_SCRIPT_SPAWNER: 'fork' })).toBe(
      'SWITCHYARD_SCRIPT_SPAWNER="fork": must be helper or direct',
    );
  });
});
