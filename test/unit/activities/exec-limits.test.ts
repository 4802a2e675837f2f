/**
 * The script activity refuses argv and environment exec(2) would refuse (E2BIG), before
 * spawning and with a final (non-retryable) failure naming the item and its size; a spawn the
 * OS refuses anyway gets the same failure instead of a retried generic `spawn E2BIG`.
 */
import { existsSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runScript, scriptInputSchema } from '../../../src/activities/script.js';
import { checkExecLimits, MAX_ARG_STRLEN, systemArgMax } from '../../../src/activities/script/exec-limits.js';
import { failureOf, recordingIO } from './helpers.js';

const run = (w: Record<string, unknown>, opts = {}) => runScript(scriptInputSchema.parse(w), recordingIO(), opts);
const linux = process.platform === 'linux';

describe('script: exec limits', () => {
  it('knows the OS ARG_MAX (getconf ARG_MAX)', () => {
    expect(systemArgMax()).toBeGreaterThanOrEqual(MAX_ARG_STRLEN);
  });

  it.runIf(linux)('refuses an argv item over MAX_ARG_STRLEN before spawning, for good, naming it and its size', async () => {
    const marker = join(await mkdtemp(join(tmpdir(), 'sy-e2big-')), 'ran');
    const failure = await failureOf(run({ command: ['touch', marker, 'x'.repeat(200_000)] }));
    expect(failure.type).toBe('ScriptArgsTooLarge');
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toBe(
      'command[2] is 195.3 KiB (200001 bytes), over the 128 KiB the OS allows one argument or environment string (MAX_ARG_STRLEN); pass large values on stdin or in a file, not as arguments or environment variables',
    );
    expect(existsSync(marker)).toBe(false);
  });

  it.runIf(linux)('names a shell script’s args and env items by their place in `with`', async () => {
    const big = 'y'.repeat(MAX_ARG_STRLEN);
    expect((await failureOf(run({ shell: 'echo "$1"', args: ['ok', big] }))).message).toMatch(
      /^args\[1\] is 128\.0 KiB \(131073 bytes\)/,
    );
    expect((await failureOf(run({ command: ['true'], env: { BIG: big } }))).message).toMatch(
      /^env\.BIG is 128\.0 KiB \(131077 bytes\)/,
    );
    // One byte less (with its NUL, exactly MAX_ARG_STRLEN) still runs.
    const fits = await run({ command: ['sh', '-c', 'printf %s "$0" | wc -c', big.slice(1)] });
    expect(fits.stdout.trim()).toBe(String(MAX_ARG_STRLEN - 1));
  });

  it('refuses arguments and environment that together are over ARG_MAX, naming the total and the largest', () => {
    const items = [
      { name: 'command[0]', text: 'echo' },
      { name: 'command[1]', text: 'a'.repeat(60_000) },
      { name: 'env.PATH', text: 'PATH=/usr/bin' },
    ];
    expect(() => checkExecLimits(items, 256 * 1024)).not.toThrow();
    expect(() => checkExecLimits(items, 60 * 1024)).toThrow(
      /^the arguments and environment take 62\.6 KiB \(64140 bytes\), over the OS's 60 KiB for them \(ARG_MAX\); the largest is command\[1\] \(58\.6 KiB\)/,
    );
  });

  it.runIf(linux)('maps a spawn the OS refuses with E2BIG to the same final failure', async () => {
    // 24 items of 120 KB each are 2.9 MB: under MAX_ARG_STRLEN one by one, over the real ARG_MAX together.
    // The check is told ARG_MAX is huge, so the OS itself refuses.
    const items = Array.from({ length: 24 }, () => 'z'.repeat(120_000));
    const failure = await failureOf(run({ command: ['true', ...items] }, { argMax: 1024 * 1024 * 1024 }));
    expect(failure.type).toBe('ScriptArgsTooLarge');
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toMatch(
      /^could not start "true": the OS refused its arguments and environment as too large \(E2BIG, 2\.\d MiB in \d+ strings\)/,
    );
    // With the real ARG_MAX the check refuses it before spawning.
    expect((await failureOf(run({ command: ['true', ...items] }))).message).toMatch(
      /^the arguments and environment take 2\.\d MiB/,
    );
  });
});
