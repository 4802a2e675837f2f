/**
 * What the command-line client prints, read as a script reads it: through a pipe from the
 * real `bin/switchyard.js` child process, against the tier's real dev server.
 */
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { switchyard, testServer, uniqueTaskQueue, withWorker } from './harness.js';

const EXAMPLES = fileURLToPath(new URL('../../examples', import.meta.url));

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

  it('status, list and result print tables for people; --json keeps its shape', async () => {
    const taskQueue = uniqueTaskQueue('out-human');
    const id = `out-human-${randomUUID()}`;
    const [run, status, result, list] = await withWorker({ taskQueue }, async () => [
      await switchyard(['run', join(EXAMPLES, 'hello.yaml'), '--wait', '--id', id, '--task-queue', taskQueue]),
      await switchyard(['status', id]),
      await switchyard(['result', id]),
      await switchyard(['list', '--graph', 'hello', '--limit', '5']),
    ]);
    expect(run.code).toBe(0);
    expect(status.code).toBe(0);
    const lines = status.stdout.split('\n');
    expect(lines[0]).toMatch(new RegExp(`^${id}  graph hello  COMPLETED  started \\S+  duration \\S+$`));
    expect(status.stdout).toMatch(/^TASK\s+STATUS\s+ITERATION\s+ATTEMPTS\s+DURATION\s+LAST ERROR$/m);
    expect(status.stdout).toMatch(/^combine\s+succeeded\s+1\s+1\s+\S+$/m);
    expect(status.stdout).not.toMatch(/"receipts"/);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^completed$/m);
    expect(result.stdout).toMatch(/^combine\s+succeeded/m);
    expect(list.code).toBe(0);
    const [header, ...rows] = list.stdout.trim().split('\n');
    expect(header).toMatch(/^STATUS\s+GRAPH\s+ID\s+START\s+DURATION$/);
    expect(rows.some((row) => new RegExp(`^COMPLETED\\s+hello\\s+${id}\\s+\\S+\\s+\\S+$`).test(row))).toBe(true);
  });

  it('a queued run (--delay) shows as queued with its due time in list and status, without blaming a worker', async () => {
    const id = `out-queued-${randomUUID()}`;
    const graph = `queued-${randomUUID().slice(0, 8)}`;
    const file = writeDefinition(`version: 1\nname: ${graph}\ntasks:\n  t: { action: noop }\n`);
    // No worker polls this queue: a run that had started would leave status blaming one.
    const started = await switchyard(['run', file, '--delay', '1h', '--id', id, '--task-queue', uniqueTaskQueue('out-queued')]);
    expect(started.code).toBe(0);
    const [status, machine, list, listJson] = [
      await switchyard(['status', id]),
      await switchyard(['--json', 'status', id]),
      await switchyard(['list', '--graph', graph]),
      await switchyard(['--json', 'list', '--graph', graph]),
    ];
    try {
      expect(status.code).toBe(0);
      expect(status.stdout.split('\n')[0]).toMatch(
        new RegExp(`^${id}  graph ${graph}  QUEUED  started \\S+  due \\S+ \\(in \\S+\\)$`),
      );
      expect(status.stdout).not.toMatch(/worker/);
      const json = JSON.parse(machine.stdout) as { status: string; queuedUntil: string; startTime: string };
      expect(json.status).toBe('RUNNING');
      expect(Date.parse(json.queuedUntil) - Date.parse(json.startTime)).toBeGreaterThan(50 * 60_000);
      expect(list.stdout).toMatch(new RegExp(`^QUEUED\\s+${graph}\\s+${id}\\s+\\S+\\s+due ${json.queuedUntil}$`, 'm'));
      // Visibility is eventually consistent: the row, once listed, carries the due time.
      const rows = JSON.parse(listJson.stdout) as { workflowId: string; queuedUntil?: string }[];
      for (const row of rows) expect(row.queuedUntil).toBe(json.queuedUntil);
    } finally {
      await switchyard(['cancel', id]);
    }
  });

  it("run --wait prints the run id and, from npm start's record, the UI link first; a live progress line only on a terminal", async () => {
    const { address, namespace, uiUrl } = testServer();
    const taskQueue = uniqueTaskQueue('out-tty');
    const dir = mkdtempSync(join(tmpdir(), 'sy-tty-'));
    const gate = join(dir, 'open');
    // The address comes from a running npm start's record (this process stands in for it).
    mkdirSync(join(dir, '.switchyard'));
    writeFileSync(
      join(dir, '.switchyard', 'dev.env'),
      `TEMPORAL_ADDRESS=${address}\nTEMPORAL_NAMESPACE=${namespace}\nSWITCHYARD_DEV_PID=${process.pid}\nSWITCHYARD_UI_URL=${uiUrl}\n`,
    );
    const file = writeDefinition(
      [
        'version: 1',
        'name: tty',
        'input: { gate: "" }',
        'tasks:',
        '  hold:',
        '    action: script',
        `    with: { command: [sh, -c, 'while [ ! -e "$0" ]; do sleep 0.1; done', "{{ input.gate }}"] }`,
        '',
      ].join('\n'),
    );
    const env: NodeJS.ProcessEnv = { ...process.env, TEMPORAL_ADDRESS: undefined, TEMPORAL_NAMESPACE: undefined };
    const bin = fileURLToPath(new URL('../../bin/switchyard.js', import.meta.url));
    const id = `out-tty-${randomUUID()}`;
    const argv = [bin, 'run', file, '--wait', '--id', id, '--task-queue', taskQueue, '--input', `gate=${gate}`];
    const onTerminal = await withWorker({ taskQueue }, async () => {
      // `script` gives the client a pseudo-terminal: stdout and stderr are a TTY.
      const child = spawn('script', ['-qec', [process.execPath, ...argv].map((arg) => `'${arg}'`).join(' '), '/dev/null'], {
        cwd: dir,
        env,
      });
      let seen = '';
      child.stdout.on('data', (chunk: Buffer) => {
        seen += chunk.toString();
        if (seen.includes('now: hold')) writeFileSync(gate, '');
      });
      const code = await new Promise<number | null>((done) => child.on('close', done));
      return { code, seen };
    });
    expect(onTerminal.code).toBe(0);
    const link = `${uiUrl.replace(/\/+$/, '')}/namespaces/${namespace}/workflows/${id}`;
    expect(onTerminal.seen).toContain(`run ${id}`);
    expect(onTerminal.seen).toContain(`ui  ${link}`);
    expect(onTerminal.seen.indexOf(`run ${id}`)).toBeLessThan(
      onTerminal.seen.indexOf('0/1 done · 1 running · 0 failed · now: hold'),
    );
    // The progress line is cleared (carriage return, erase line) before the result is printed.
    expect(onTerminal.seen).toContain('\r\x1b[Kcompleted');

    // Piped: the id on stderr, no progress line, the result on stdout.
    const id2 = `out-pipe-${randomUUID()}`;
    const piped = await withWorker({ taskQueue }, () =>
      switchyard(['run', file, '--wait', '--id', id2, '--task-queue', taskQueue, '--input', `gate=${gate}`]),
    );
    expect(piped.code).toBe(0);
    expect(piped.stderr).toMatch(new RegExp(`^run ${id2}$`, 'm'));
    expect(piped.stderr).not.toMatch(/done ·|\r/);
    expect(piped.stdout).toMatch(/^completed$/m);
  });

  it("status counts a retried task's attempts as Temporal does while its second attempt runs", async () => {
    const taskQueue = uniqueTaskQueue('out-attempts');
    const dir = mkdtempSync(join(tmpdir(), 'sy-attempts-'));
    const id = `out-attempts-${randomUUID()}`;
    const file = writeDefinition(
      [
        'version: 1',
        'name: retried',
        'input: { dir: "" }',
        'tasks:',
        '  flaky:',
        '    action: script',
        '    retry: { maximum_attempts: 3, initial_interval: 1s }',
        // The first attempt fails; the second waits for the gate.
        `    with: { command: [sh, -c, 'if [ ! -e "$0/tried" ]; then touch "$0/tried"; echo first fails >&2; exit 1; fi; touch "$0/second"; while [ ! -e "$0/open" ]; do sleep 0.1; done', "{{ input.dir }}"] }`,
        '',
      ].join('\n'),
    );
    const { machine, human, result } = await withWorker({ taskQueue }, async () => {
      const started = await switchyard(['run', file, '--id', id, '--task-queue', taskQueue, '--input', `dir=${dir}`]);
      expect(started.code).toBe(0);
      // Wait until the second attempt has begun (it leaves a mark before it waits for the gate).
      for (let tries = 0; tries < 600 && !existsSync(join(dir, 'second')); tries += 1)
        await new Promise((wait) => setTimeout(wait, 100));
      const machine = await switchyard(['--json', 'status', id]);
      const human = await switchyard(['status', id]);
      writeFileSync(join(dir, 'open'), '');
      const result = await switchyard(['--json', 'result', id]);
      return { machine, human, result };
    });
    const status = JSON.parse(machine.stdout) as { state: { tasks: Record<string, { attempts: number; lastError?: string }> } };
    expect(status.state.tasks.flaky).toMatchObject({ attempts: 2, lastError: expect.stringMatching(/first fails/) });
    expect(human.stdout).toMatch(/^flaky\s+running\s+1\s+2\s/m);
    // After the run, the workflow's own count (from the receipt) agrees.
    expect((JSON.parse(result.stdout) as { tasks: Record<string, { attempts: number }> }).tasks.flaky?.attempts).toBe(2);
  });
});
