/**
 * SPEC §3 rule 16 at the client (`bin/switchyard.js`, a real child process, on the tier's
 * real dev server): a run whose start would be over Temporal's payload limit is refused at
 * once as a usage error, before any RPC, and `status` on a run whose state is too large to
 * answer whole says so instead of blaming the worker.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Client } from '@temporalio/client';
import { switchyard, uniqueTaskQueue, useClient, withWorker } from './harness.js';
import { definitionFrom, pollFor, startGraph, stateOf, tempDir } from './interpreter/support.js';

function writeDefinition(text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'sy-cli-payload-')), 'graph.yaml');
  writeFileSync(file, text);
  return file;
}

describe('switchyard client: the payload budget (rule 16)', () => {
  let client: Client;
  useClient((c) => (client = c));

  it('run refuses --input over the limit with exit 2, naming the limit and the size, before any RPC', async () => {
    const file = writeDefinition('version: 1\nname: big-input\ninput: { a: "", b: "", c: "" }\ntasks:\n  t: { action: noop }\n');
    // argv cannot carry 2 MiB (ARG_MAX), but JSON can make it so: a control character is 6 bytes (\u0001).
    const chunk = '\u0001'.repeat(120_000);
    const args = ['run', file, '--input', `a=${chunk}`, '--input', `b=${chunk}`, '--input', `c=${chunk}`];
    // An address where nothing listens: a connection attempt would end in exit 3.
    const refused = await switchyard(args, { TEMPORAL_ADDRESS: '127.0.0.1:1' });
    expect(refused.code).toBe(2);
    expect(refused.stderr.trim()).toBe(
      '--input: the run input is 2.1 MiB (2160022 bytes), over the 2 MiB payload limit; pass large data by reference (a path or URL a task reads)',
    );
    expect(refused.stderr).not.toMatch(/cannot reach Temporal/);
  });

  it('run refuses a definition and input whose start would be over the limit, and starts nothing', async () => {
    const name = `big-start-${randomUUID().slice(0, 8)}`;
    const file = writeDefinition(
      `version: 1\nname: ${name}\ninput: { note: "" }\nvars: { table: "${'x'.repeat(2_000_000)}" }\ntasks:\n  t: { action: noop }\n`,
    );
    const id = `cli-payload-${randomUUID()}`;
    const refused = await switchyard(['run', file, '--id', id, '--input', `note=${'y'.repeat(100_000)}`]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(
      /: the run's start \(definition and input\) is 2\.0 MiB \(\d+ bytes\), over the 2 MiB payload limit; Temporal refuses a workflow input over 2 MiB$/m,
    );
    const status = await switchyard(['status', id]);
    expect(status.code).toBe(4);
    // The definition alone fits: the same file starts without the input.
    const started = await switchyard(['--json', 'run', file, '--id', id, '--task-queue', uniqueTaskQueue('unused')]);
    expect(started.code).toBe(0);
    await client.workflow.getHandle(id).terminate('test: started only to show the file fits alone');
  });

  it('status on a run whose state is over the limit prints the too-large notice, not "no worker answered"', async () => {
    const taskQueue = uniqueTaskQueue('cli-payload-status');
    const gate = join(tempDir('cli-payload-status'), 'open');
    const definition = definitionFrom(`version: 1
name: cli-payload-status
input: { gate: "" }
tasks:
  make:
    action: noop
    with: { blob: "{{ $pad('', ${3 * 1024 * 1024}, 'x') }}" }
    next: [{ publish: { big: "{{ result.blob }}" }, do: [wait] }]
  wait:
    action: script
    retry: { maximum_attempts: 1 }
    with:
      shell: 'for i in $(seq 1200); do [ -f "$1" ] && exit 0; sleep 0.05; done; exit 1'
      args: ["{{ input.gate }}"]
output: { done: true }
`);
    const id = `cli-payload-status-${randomUUID()}`;
    const { human, machine } = await withWorker({ taskQueue }, async () => {
      const handle = await startGraph(client, taskQueue, id, { definition, input: { gate } });
      await pollFor('wait to run', async () =>
        (await stateOf(handle))?.running.some((execution) => execution.task === 'wait') ? true : undefined,
      );
      const human = await switchyard(['status', id]);
      const machine = await switchyard(['--json', 'status', id]);
      writeFileSync(gate, '');
      await handle.result();
      return { human, machine };
    });
    const notice = /^state too large \(\d+ bytes, over the 2 MiB payload limit\): ctx and output left out$/;
    expect(human.code).toBe(0);
    expect(human.stdout.split('\n')[0]).toMatch(notice);
    expect(human.stdout).not.toMatch(/no worker answered/);
    const status = JSON.parse(machine.stdout) as { status: string; state: { tooLarge: string; running: { task: string }[] } };
    expect(status.status).toBe('RUNNING');
    expect(status.state.tooLarge).toMatch(notice);
    expect(status.state.running.map((execution) => execution.task)).toEqual(['wait']);
  });
});
