import { chmod, mkdtemp, realpath, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fitResult, runScript, scriptInputSchema, type ScriptInput } from '../../../src/activities/script.js';
import { livingMembers } from '../../../src/activities/script/process-group.js';
import { jsonBytes } from '../../../src/activities/common/canonical.js';
import { cancellationOf, failureOf, processAlive, recordingIO, waitFor } from './helpers.js';

const input = (w: Record<string, unknown>): ScriptInput => scriptInputSchema.parse(w);
const run = (w: Record<string, unknown>, io = recordingIO(), opts = {}) => runScript(input(w), io, opts);

/** Starts a script, waits until its group has `members` live processes, and returns them with the pending run. */
async function startGroup(w: Record<string, unknown>, members: number, opts = {}) {
  const io = recordingIO();
  const running = runScript(input(w), io, { heartbeatMs: 50, ...opts });
  running.catch(() => undefined);
  const pid = await waitFor(() => (io.beats[0] as { pid?: number } | undefined)?.pid);
  const pids = await waitFor(() => {
    const living = livingMembers(pid) ?? [];
    return living.length >= members ? living : undefined;
  });
  return { io, running, pid, pids };
}

describe('script: argv and environment', () => {
  it('passes argv items literally, with no shell interpretation, and turns values into text', async () => {
    const r = await run({
      command: ['printf', '%s\\n', 'a b', '"quoted"', "it's", '$(echo pwned)', '`id`', '$HOME', 42, true, { x: 1 }],
    });
    expect(r.stdout).toBe(
      ['a b', '"quoted"', "it's", '$(echo pwned)', '`id`', '$HOME', '42', 'true', '{"x":1}'].join('\n') + '\n',
    );
    expect(r.exitCode).toBe(0);
    expect(r.signal).toBeNull();
  });

  it('sets env over the worker variables the operator passes on, and removes variables set to null', async () => {
    const r = await runScript(
      input({ command: ['sh', '-c', 'echo "$KEEP/$NEW/${DROP-unset}"'], env: { NEW: 5, DROP: null } }),
      recordingIO(),
      { baseEnv: { PATH: process.env.PATH, KEEP: 'kept', DROP: 'present', SWITCHYARD_SCRIPT_ENV: 'KEEP, DROP' } },
    );
    expect(r.stdout).toBe('kept/5/unset\n');
  });

  it("gets a minimal environment: never the worker's secrets unless the operator passes them (SPEC rule 15)", async () => {
    const worker = {
      PATH: process.env.PATH,
      HOME: '/home/worker',
      TELEGRAM_BOT_TOKEN: '123:secret',
      OPENAI_API_KEY: 'sk-secret',
    };
    const r = await runScript(input({ command: ['sh', '-c', 'env | sort'] }), recordingIO(), { baseEnv: worker });
    const names = r.stdout
      .split('\n')
      .map((line) => line.split('=')[0])
      .filter((name) => name !== '' && name !== 'PWD' && name !== 'SHLVL' && name !== '_');
    expect(names).toEqual(['HOME', 'PATH']);
    expect(r.stdout).not.toContain('secret');
  });

  it('runs in cwd and feeds stdin', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sy-cwd-'));
    expect((await run({ command: ['pwd'], cwd: dir })).stdout.trim()).toBe(await realpath(dir));
    expect((await run({ command: ['cat'], stdin: 'from stdin' })).stdout).toBe('from stdin');
  });

  it('runs opt-in shell text with values as positional args, never spliced', async () => {
    const r = await run({ shell: 'printf "%s|%s" "$1" "$2"', args: ['a b', '$(echo pwned)'] });
    expect(r.stdout).toBe('a b|$(echo pwned)');
  });

  it('rejects command and shell together, args without shell, and a bad timeout', () => {
    const res = scriptInputSchema.safeParse({ command: ['x'], shell: 'y', timeout: '5 parsecs' });
    expect(res.success).toBe(false);
    const paths = res.error?.issues.map((i) => i.path.join('.'));
    expect(paths).toEqual(expect.arrayContaining(['command', 'timeout']));
    expect(scriptInputSchema.safeParse({ command: ['x'], args: ['a'] }).success).toBe(false);
    expect(scriptInputSchema.parse({ command: ['x'], timeout: '1h30m' }).timeout).toBe(5_400_000);
  });
});

describe('script: timeout and cancellation end the whole process group', () => {
  it('timeout terminates the child and its background grandchild, as a retryable ScriptTimeout', async () => {
    const started = Date.now();
    const { running, pid, pids } = await startGroup({ command: ['sh', '-c', 'sleep 1000 & sleep 1000'], timeout: 700 }, 2, {
      killGraceMs: 500,
    });
    expect(pids.length).toBeGreaterThanOrEqual(2);
    const f = await failureOf(running);
    expect(f.type).toBe('ScriptTimeout');
    expect(f.nonRetryable).toBe(false);
    expect(Date.now() - started).toBeLessThan(5000);
    for (const p of pids) expect(processAlive(p)).toBe(false);
    expect(livingMembers(pid)).toEqual([]);
  });

  it('escalates to SIGKILL when the group ignores SIGTERM', async () => {
    const { running, pids } = await startGroup(
      { command: ['sh', '-c', 'trap "" TERM; sleep 1000 & sleep 1000'], timeout: 300 },
      2,
      { killGraceMs: 300 },
    );
    expect((await failureOf(running)).type).toBe('ScriptTimeout');
    for (const p of pids) expect(processAlive(p)).toBe(false);
  });

  it('abort cancels: the group is terminated and a CancelledFailure is thrown', async () => {
    const { io, running, pid, pids } = await startGroup({ command: ['sh', '-c', 'sleep 1000 & sleep 1000'] }, 2, {
      killGraceMs: 500,
    });
    io.abort();
    await cancellationOf(running);
    for (const p of pids) expect(processAlive(p)).toBe(false);
    expect(livingMembers(pid)).toEqual([]);
  });

  it('sweeps background processes left behind by a script that exited 0', async () => {
    const r = await run({ command: ['sh', '-c', 'sleep 1000 >/dev/null 2>&1 & echo $!'] }, recordingIO(), { killGraceMs: 300 });
    expect(r.exitCode).toBe(0);
    expect(processAlive(Number(r.stdout.trim()))).toBe(false);
  });

  it('heartbeats while the process runs', async () => {
    const io = recordingIO();
    await runScript(input({ command: ['sleep', '0.4'] }), io, { heartbeatMs: 50 });
    expect(io.beats.length).toBeGreaterThanOrEqual(4);
  });
});

describe('script: output', () => {
  it('caps a 50 MB stdout at max_output_bytes, flags it, and still finishes', async () => {
    const r = await run({ command: ['sh', '-c', 'head -c 52428800 /dev/zero | tr "\\000" x; echo done >&2'] });
    expect(r.stdoutTruncated).toBe(true);
    expect(Buffer.byteLength(r.stdout)).toBe(1024 * 1024);
    expect(r.stdoutBytes).toBe(52428800);
    expect(r.stderr).toBe('done\n');
    expect(r.stderrTruncated).toBe(false);
    expect(jsonBytes(r)).toBeLessThan(2 * 1024 * 1024);
  }, 30_000);

  it('output exactly max_output_bytes long is whole, not truncated; one byte more is (the cap is inclusive)', async () => {
    const json = JSON.stringify({ ok: true, pad: 'x'.repeat(40) });
    const cap = Buffer.byteLength(json);
    const exact = await run({ command: ['printf', '%s', json], max_output_bytes: cap, parse_json: true });
    expect(exact.stdoutTruncated).toBe(false);
    expect(exact.json).toEqual({ ok: true, pad: 'x'.repeat(40) });
    const over = await run({ command: ['printf', '%s ', json], max_output_bytes: cap });
    expect(over.stdoutTruncated).toBe(true);
    expect(over.stdout).toBe(json);
  });

  it('keeps the head of a stream under a small cap without cutting a UTF-8 character', async () => {
    const r = await run({ command: ['printf', 'ééééé'], max_output_bytes: 5 });
    expect(r.stdout).toBe('éé');
    expect(r.stdoutTruncated).toBe(true);
  });

  it('non-zero exit is a retryable ScriptExitError carrying the exit code and the stderr tail', async () => {
    const f = await failureOf(
      run({ command: ['sh', '-c', 'head -c 10000 /dev/zero | tr "\\000" e >&2; echo LAST-WORDS >&2; exit 3'] }),
    );
    expect(f.type).toBe('ScriptExitError');
    expect(f.nonRetryable).toBe(false);
    expect(f.message).toContain('code 3');
    expect(f.message).toContain('LAST-WORDS');
    expect(f.message.length).toBeLessThan(2600);
    expect((f.details?.[0] as { exitCode: number }).exitCode).toBe(3);
  });

  it('a missing executable and a non-executable file fail for good, naming the path', async () => {
    const missing = await failureOf(run({ command: ['/nonexistent/switchyard-prog', 'x'] }));
    expect(missing.nonRetryable).toBe(true);
    expect(missing.message).toContain('/nonexistent/switchyard-prog');
    const file = join(await mkdtemp(join(tmpdir(), 'sy-noexec-')), 'script.sh');
    await writeFile(file, '#!/bin/sh\necho hi\n');
    await chmod(file, 0o644);
    const denied = await failureOf(run({ command: [file] }));
    expect(denied.nonRetryable).toBe(true);
    expect(denied.message).toContain(file);
    expect((await failureOf(run({ command: ['true'], cwd: '/nonexistent/dir' }))).nonRetryable).toBe(true);
  });

  it('wakeAgent is false only when the last non-empty stdout line is exactly {"wakeAgent": false}', async () => {
    const wake = async (text: string) => (await run({ command: ['printf', '%s', text] })).wakeAgent;
    expect(await wake('data\n{"wakeAgent": false}\n\n')).toBe(false);
    expect(await wake('{"wakeAgent":false}')).toBe(false);
    expect(await wake('{"wakeAgent": false}\nmore')).toBe(true);
    expect(await wake('{"wakeAgent": false, "x": 1}')).toBe(true);
    expect(await wake('{"wakeAgent": true}')).toBe(true);
    expect(await wake('')).toBe(true);
  });

  it('parse_json parses stdout, and fails for good when stdout is not JSON', async () => {
    expect((await run({ command: ['printf', '{"a":[1,2]}'], parse_json: true })).json).toEqual({ a: [1, 2] });
    expect((await run({ command: ['printf', '{"a":1}'] })).json).toBeUndefined();
    const f = await failureOf(run({ command: ['printf', 'not json'], parse_json: true }));
    expect(f.type).toBe('ScriptOutputNotJson');
    expect(f.nonRetryable).toBe(true);
  });

  it('fitResult shrinks a result over the payload budget and says so', () => {
    const big = 'x'.repeat(1024 * 1024);
    const r = fitResult(
      {
        exitCode: 0,
        signal: null,
        stdout: big,
        stderr: big,
        stdoutTruncated: false,
        stderrTruncated: false,
        stdoutBytes: big.length,
        stderrBytes: big.length,
        durationMs: 1,
        json: { big },
        wakeAgent: true,
      },
      1.5 * 1024 * 1024,
    );
    expect(jsonBytes(r)).toBeLessThanOrEqual(1.5 * 1024 * 1024);
    expect(r.json).toEqual({ big });
    expect(r.stdoutTruncated).toBe(true);
    expect(r.stderrTruncated).toBe(true);
  });
});
