/**
 * The command-line client as a user runs it (`bin/switchyard.js`, a real child process)
 * against the tier's real dev server: exit codes, --json output, run/status/list/pause/
 * resume/cancel, and the refusal of an invalid definition before anything starts.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { switchyard, uniqueTaskQueue, withWorker } from './harness.js';

const EXAMPLES = fileURLToPath(new URL('../../examples', import.meta.url));

function writeDefinition(text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'sy-cli-')), 'graph.yaml');
  writeFileSync(file, text);
  return file;
}

const SLOW = (name: string) =>
  [
    'version: 1',
    `name: ${name}`,
    'input: { gate: "" }',
    'tasks:',
    // Runs until the test creates the gate file: no race with a slow machine.
    '  first:',
    '    action: script',
    `    with: { command: [sh, -c, 'while [ ! -e "$0" ]; do sleep 0.1; done', "{{ input.gate }}"] }`,
    '    next: [{ do: [second] }]',
    '  second:',
    '    action: script',
    '    with: { command: [echo, done] }',
    '',
  ].join('\n');

describe('switchyard client', () => {
  it('validate: exit 0 for the examples, 1 with every problem for a bad file, --json for machines', async () => {
    const ok = await switchyard(['validate', join(EXAMPLES, 'hello.yaml'), join(EXAMPLES, 'fan-out-join.yaml')]);
    expect(ok.code).toBe(0);
    const bad = writeDefinition(
      'version: 1\nname: bad\ntasks:\n  a:\n    action: script\n    next: [{ do: [nowhere] }]\n  fail:\n    action: noop\n',
    );
    const human = await switchyard(['validate', bad]);
    expect(human.code).toBe(1);
    expect(human.stdout).toMatch(/tasks\.a\.next\[0\]\.do\[0\]/);
    expect(human.stdout).toMatch(/tasks\.fail/);
    const machine = await switchyard(['--json', 'validate', bad]);
    expect(machine.code).toBe(1);
    const report = JSON.parse(machine.stdout) as { ok: boolean; problems: { path: string }[] }[];
    expect(report[0]?.ok).toBe(false);
    expect(report[0]?.problems.map((p) => p.path)).toEqual(expect.arrayContaining(['tasks.a.next[0].do[0]', 'tasks.fail']));
  });

  it("run refuses an invalid definition with the validator's errors and starts nothing", async () => {
    const name = `refused-${randomUUID().slice(0, 8)}`;
    const bad = writeDefinition(`version: 1\nname: ${name}\ntasks:\n  a:\n    action: script\n    next: [{ do: [ghost] }]\n`);
    const run = await switchyard(['run', bad]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/tasks\.a\.next\[0\]\.do\[0\]/);
    const listed = await switchyard(['--json', 'list', '--graph', name]);
    expect(JSON.parse(listed.stdout)).toEqual([]);
  });

  it('run --wait --json prints the result; status, list find the run', async () => {
    const taskQueue = uniqueTaskQueue('cli');
    const id = `cli-${randomUUID()}`;
    // status's state query needs a worker, even for a closed run: keep one polling.
    const [run, status] = await withWorker({ taskQueue }, async () => [
      await switchyard(['--json', 'run', join(EXAMPLES, 'hello.yaml'), '--wait', '--id', id, '--task-queue', taskQueue]),
      await switchyard(['--json', 'status', id]),
    ]);
    expect(run.code).toBe(0);
    const printed = JSON.parse(run.stdout) as { workflowId: string; result: { status: string } };
    expect(printed.workflowId).toBe(id);
    expect(printed.result.status).toBe('completed');
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({
      workflowId: id,
      status: 'COMPLETED',
      graph: 'hello',
      state: { status: 'completed', tasks: { combine: { status: 'succeeded' } } },
    });

    // Without a worker the state query cannot be answered: status says so, within its bound.
    const orphan = await switchyard(['--json', 'status', id]);
    expect(orphan.code).toBe(0);
    expect(JSON.parse(orphan.stdout)).toMatchObject({
      status: 'COMPLETED',
      state: { unavailable: expect.stringMatching(/no worker answered the state query within 5 s on task queue test-cli-/) },
    });
  });

  it('pause holds new tasks, resume lets them start, cancel ends a run', async () => {
    const taskQueue = uniqueTaskQueue('cli-pause');
    const name = `pausable-${randomUUID().slice(0, 8)}`;
    const file = writeDefinition(SLOW(name));
    const id = `cli-${randomUUID()}`;
    await withWorker({ taskQueue }, async () => {
      const gate = join(mkdtempSync(join(tmpdir(), 'sy-gate-')), 'open');
      expect((await switchyard(['run', file, '--id', id, '--task-queue', taskQueue, '--input', `gate=${gate}`])).code).toBe(0);
      expect((await switchyard(['pause', id])).code).toBe(0);
      writeFileSync(gate, '');
      // `first` runs to its end; `second` must not start while paused.
      let state: { status?: string; running?: unknown[]; paused?: boolean } = {};
      for (let i = 0; i < 100; i++) {
        state = (JSON.parse((await switchyard(['--json', 'status', id])).stdout) as { state: typeof state }).state;
        if (state.paused && (state.running ?? []).length === 0) break;
        await new Promise((r) => setTimeout(r, 200));
      }
      expect(state.paused).toBe(true);
      expect(state.running).toEqual([]);
      expect((await switchyard(['resume', id])).code).toBe(0);
      const result = await switchyard(['--json', 'result', id]);
      expect(JSON.parse(result.stdout)).toMatchObject({ status: 'completed' });

      const id2 = `cli-${randomUUID()}`;
      const closed = `${gate}-never`;
      expect((await switchyard(['run', file, '--id', id2, '--task-queue', taskQueue, '--input', `gate=${closed}`])).code).toBe(0);
      expect((await switchyard(['cancel', id2])).code).toBe(0);
      const cancelled = await switchyard(['--json', 'result', id2]);
      expect(cancelled.code).toBe(1);
      const listed = JSON.parse((await switchyard(['--json', 'list', '--graph', name])).stdout) as {
        workflowId: string;
        status: string;
      }[];
      expect(listed.map((r) => r.workflowId).sort()).toEqual([id, id2].sort());
    });
  });

  it('exit codes: 2 for a usage error, 3 when Temporal is unreachable, 4 for an unknown run', async () => {
    expect((await switchyard(['run', join(EXAMPLES, 'hello.yaml'), '--input', 'novalue'])).code).toBe(2);
    expect((await switchyard(['frobnicate'])).code).toBe(2);
    const unreachable = await switchyard(['status', 'x'], { TEMPORAL_ADDRESS: '127.0.0.1:1' });
    expect(unreachable.code).toBe(3);
    expect(unreachable.stderr).toMatch(/cannot reach Temporal at 127\.0\.0\.1:1/);
    const missing = await switchyard(['status', `nope-${randomUUID()}`]);
    expect(missing.code).toBe(4);
    expect(missing.stderr).toMatch(/no run with id nope-/);
  });
});
