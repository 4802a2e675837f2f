/**
 * `switchyard schedule create` refuses bad flags before any RPC: the client points at a port
 * nothing listens on, so reaching Temporal would end in exit 3, not the usage error (exit 2)
 * naming the flag.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../../src/client.js';

const file = join(mkdtempSync(join(tmpdir(), 'sy-sched-')), 'graph.yaml');
writeFileSync(file, 'version: 1\nname: flags\ninput: { topic: AI }\ntasks:\n  a: { action: noop }\n');

async function create(...flags: string[]): Promise<{ code: number; errors: string }> {
  return schedule('create', file, ...flags);
}

async function schedule(...args: string[]): Promise<{ code: number; errors: string }> {
  const errors: string[] = [];
  const spy = vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => void errors.push(args.join(' ')));
  try {
    const code = await main(['--address', '127.0.0.1:1', 'schedule', ...args]);
    return { code, errors: errors.join('\n') };
  } finally {
    spy.mockRestore();
  }
}

afterEach(() => {
  process.exitCode = undefined;
});

describe('schedule create: flags checked before any RPC', () => {
  it.each([
    [['--cron', '61 * * * *'], /--cron: .*minute '61'/],
    [['--cron', '@daily', '--tz', 'Mars/Olympus'], /--tz: unknown time zone 'Mars\/Olympus'/],
    [['--every', '0s'], /--every: '0s': an interval must be at least 1s/],
    [['--every', '1m', '--runs', '0'], /--runs: '0': a whole number of at least 1/],
    [['--every', '1m', '--cron', '@daily'], /--every: give one of cron, every or at/],
    [[], /--cron: missing/],
    [['--at', '2001-01-01T00:00:00Z'], /--at: '2001-01-01T00:00:00Z' is in the past/],
    [['--every', '1m', '--input', 'topci=x'], /--input topci: not an input of 'flags'/],
    [['--every', '1m', '--id', 'no spaces'], /--id no spaces/],
  ])('%j', async (flags, message) => {
    const { code, errors } = await create(...flags);
    expect(errors).toMatch(message);
    expect(code).toBe(2);
  });

  it('update checks its flags before reading the schedule', async () => {
    const { code, errors } = await schedule('update', 'any', '--every', '0s', '--tz', 'Nowhere/City');
    expect(errors).toMatch(/--every: '0s'/);
    expect(errors).toMatch(/--tz: unknown time zone/);
    expect(code).toBe(2);
  });

  it('backfill refuses a range that ends before it starts', async () => {
    const { code, errors } = await schedule('backfill', 'any', '--from', '2026-01-02T00:00:00Z', '--to', '2026-01-01T00:00:00Z');
    expect(errors).toMatch(/--to 2026-01-01T00:00:00Z: must be after --from/);
    expect(code).toBe(2);
  });

  it('reaches for the server only once the flags are good (exit 3 here: nothing listens)', async () => {
    const { code } = await create('--every', '1m');
    expect(code).toBe(3);
  }, 30_000);
});
