/**
 * What the command-line client prints, read as a script reads it: through a pipe from the
 * real `bin/switchyard.js` child process, against the tier's real dev server.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { switchyard, uniqueTaskQueue, withWorker } from './harness.js';

function writeDefinition(text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'sy-out-')), 'graph.yaml');
  writeFileSync(file, text);
  return file;
}

describe('switchyard output', () => {
  it('--json output far over a pipe buffer reaches the reader whole', async () => {
    // 400 problems a file, the file 8 times: about 1 MB of JSON, 16 pipe buffers.
    const tasks = Array.from({ length: 400 }, (_, i) => `  t${i}:\n    action: script\n    next: [{ do: [nowhere_${i}] }]\n`);
    const bad = writeDefinition(`version: 1\nname: many-problems\ntasks:\n${tasks.join('')}`);
    const out = await switchyard(['--json', 'validate', ...Array.from({ length: 8 }, () => bad)]);
    expect(out.code).toBe(1);
    expect(out.stdout.length).toBeGreaterThan(200_000);
    const reports = JSON.parse(out.stdout) as { ok: boolean; problems: unknown[] }[];
    expect(reports).toHaveLength(8);
    expect(reports.every((report) => !report.ok && report.problems.length >= 400)).toBe(true);
  });

  it('run --wait --json and result --json print the failure on stdout for a failed run, exit 1', async () => {
    const taskQueue = uniqueTaskQueue('out');
    const id = `out-failed-${randomUUID()}`;
    const file = writeDefinition(
      [
        'version: 1',
        'name: fails',
        'tasks:',
        '  broken:',
        '    action: script',
        '    with: { command: [sh, -c, "echo boom >&2; exit 3"] }',
        '    retry: { maximum_attempts: 1 }',
        '',
      ].join('\n'),
    );
    const [run, result] = await withWorker({ taskQueue }, async () => [
      await switchyard(['--json', 'run', file, '--wait', '--id', id, '--task-queue', taskQueue]),
      await switchyard(['--json', 'result', id]),
    ]);
    expect(run.code).toBe(1);
    const printed = JSON.parse(run.stdout) as { workflowId: string; failure: { status: string; type: string; report: unknown } };
    expect(printed.workflowId).toBe(id);
    expect(printed.failure).toMatchObject({ status: 'failed', report: { tasks: { broken: { status: 'failed' } } } });
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toEqual(printed.failure);
  });
});
