/**
 * Dead letters through the real CLI (SPEC §5): `failed` lists a run that failed at task b
 * with its task and cause; `rerun` starts a new run from its final state at b — a's
 * published ctx carried, a not run again (the scripts' own ledger counts executions) — that
 * completes once the cause is fixed; `--from a` reruns a; the link shows in `status`;
 * `rerun --all-failed --graph G` reruns a graph's dead letters in one go.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Client } from '@temporalio/client';
import { switchyard, uniqueTaskQueue, useClient, withWorker } from './harness.js';
import { pollFor, tempDir } from './interpreter/support.js';

/** a publishes to ctx and goes to b; b writes what it saw of ctx to the ledger and fails until the flag file exists. */
function definition(name: string): string {
  return `version: 1
name: ${name}
input: { ledger: "", flag: "" }
tasks:
  a:
    action: script
    retry: { maximum_attempts: 1 }
    with:
      shell: 'echo a >> "$1"'
      args: ["{{ input.ledger }}"]
    next: [{ publish: { fromA: "made-by-a" }, do: [b] }]
  b:
    action: script
    retry: { maximum_attempts: 1 }
    with:
      shell: 'echo "b $2" >> "$1"; [ -f "$3" ] || { echo "flag missing" >&2; exit 3; }'
      args: ["{{ input.ledger }}", "{{ ctx.fromA }}", "{{ input.flag }}"]
output: { fromA: "{{ ctx.fromA }}" }
`;
}

function ledgerLines(file: string): string[] {
  return existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').filter(Boolean) : [];
}

interface FailedRow {
  workflowId: string;
  task?: string;
  type?: string;
  cause: string;
}

interface Rerun {
  workflowId: string;
  runId: string;
  rerunOf: { workflowId: string; runId: string; from: string[] };
  alreadyRerun?: boolean;
}

describe('failed and rerun', () => {
  let client: Client;
  useClient((c) => (client = c));

  /** Starts a run of `file` through the CLI and waits for it to fail. */
  async function failingRun(file: string, taskQueue: string, id: string, ledger: string, flag: string): Promise<void> {
    const run = await switchyard([
      'run',
      file,
      '--task-queue',
      taskQueue,
      '--id',
      id,
      '-i',
      `ledger=${ledger}`,
      '-i',
      `flag=${flag}`,
      '--wait',
    ]);
    expect(run.code, run.stderr).toBe(1);
  }

  /** `failed --graph G --json`, polled until visibility lists `count` runs. */
  async function failedOf(graph: string, count: number): Promise<FailedRow[]> {
    return pollFor(`${count} failed runs of ${graph}`, async () => {
      const listed = await switchyard(['--json', 'failed', '--graph', graph, '--since', '1h']);
      expect(listed.code, listed.stderr).toBe(0);
      const rows = JSON.parse(listed.stdout) as FailedRow[];
      return rows.length === count ? rows : undefined;
    });
  }

  it("lists the failed run with task and cause, reruns it from b with a's ctx, and from a with --from", async () => {
    const dir = tempDir('dead-letters');
    const graph = `dl-${randomUUID().slice(0, 8)}`;
    const file = join(dir, 'graph.yaml');
    writeFileSync(file, definition(graph));
    const ledger = join(dir, 'ledger');
    const flag = join(dir, 'flag');
    const taskQueue = uniqueTaskQueue('dead-letters');
    const id = `${graph}-first`;

    await withWorker({ taskQueue }, async () => {
      await failingRun(file, taskQueue, id, ledger, flag);
      expect(ledgerLines(ledger)).toEqual(['a', 'b made-by-a']);

      const rows = await failedOf(graph, 1);
      expect(rows[0]).toMatchObject({ workflowId: id, task: 'b', type: 'TaskFailed' });
      expect(rows[0]?.cause).toMatch(/\bb\b/);
      const human = await switchyard(['failed', '--graph', graph]);
      expect(human.stdout).toMatch(new RegExp(`^${id}\\s+${graph}\\s+\\S+\\s+b\\s+TaskFailed: `, 'm'));

      // Fixed: b finds its flag now. The rerun starts at b with a's ctx; a does not run again.
      writeFileSync(flag, '');
      const rerun = await switchyard(['--json', 'rerun', id]);
      expect(rerun.code, rerun.stderr).toBe(0);
      const started = JSON.parse(rerun.stdout) as Rerun;
      expect(started.rerunOf).toMatchObject({ workflowId: id, from: ['b'] });
      expect(started.workflowId).not.toBe(id);
      const result = (await client.workflow.getHandle(started.workflowId).result()) as { output: unknown };
      expect(result.output).toEqual({ fromA: 'made-by-a' });
      expect(ledgerLines(ledger)).toEqual(['a', 'b made-by-a', 'b made-by-a']);

      // The link, in `status`.
      const status = JSON.parse((await switchyard(['--json', 'status', started.workflowId])).stdout) as {
        status: string;
        rerunOf?: { workflowId: string; runId: string };
      };
      expect(status.status).toBe('COMPLETED');
      expect(status.rerunOf).toEqual({ workflowId: id, runId: started.rerunOf.runId, from: ['b'] });

      // Rerunning the same run again starts nothing new.
      const again = JSON.parse((await switchyard(['--json', 'rerun', id])).stdout) as Rerun;
      expect(again).toMatchObject({ workflowId: started.workflowId, alreadyRerun: true });
      expect(ledgerLines(ledger)).toHaveLength(3);

      // --from a: a runs again, then b.
      const fromA = await switchyard(['--json', 'rerun', id, '--from', 'a']);
      expect(fromA.code, fromA.stderr).toBe(0);
      const fromAStarted = JSON.parse(fromA.stdout) as Rerun;
      expect(fromAStarted.rerunOf.from).toEqual(['a']);
      await client.workflow.getHandle(fromAStarted.workflowId).result();
      expect(ledgerLines(ledger)).toEqual(['a', 'b made-by-a', 'b made-by-a', 'a', 'b made-by-a']);

      // A task the graph does not have is a usage error.
      const unknown = await switchyard(['rerun', id, '--from', 'nope']);
      expect(unknown.code).toBe(2);
      expect(unknown.stderr).toMatch(/--from nope: no such task/);
    });
  });

  it('rerun --all-failed --graph G reruns every failed run of the graph', async () => {
    const dir = tempDir('dead-letters-all');
    const graph = `dl-${randomUUID().slice(0, 8)}`;
    const file = join(dir, 'graph.yaml');
    writeFileSync(file, definition(graph));
    const ledger = join(dir, 'ledger');
    const flag = join(dir, 'flag');
    const taskQueue = uniqueTaskQueue('dead-letters-all');

    await withWorker({ taskQueue }, async () => {
      await failingRun(file, taskQueue, `${graph}-1`, ledger, flag);
      await failingRun(file, taskQueue, `${graph}-2`, ledger, flag);
      await failedOf(graph, 2);
      writeFileSync(flag, '');
      const batch = await switchyard(['--json', 'rerun', '--all-failed', '--graph', graph]);
      expect(batch.code, batch.stderr).toBe(0);
      const reruns = JSON.parse(batch.stdout) as Rerun[];
      expect(reruns.map((rerun) => rerun.rerunOf.workflowId).sort()).toEqual([`${graph}-1`, `${graph}-2`]);
      for (const rerun of reruns) await client.workflow.getHandle(rerun.workflowId).result();
      expect(ledgerLines(ledger).filter((line) => line === 'a')).toHaveLength(2);
      expect(ledgerLines(ledger).filter((line) => line.startsWith('b '))).toHaveLength(4);
    });
  });
});
