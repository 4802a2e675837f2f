/**
 * `events` through the real CLI on real runs: a 2-task run whose first task fails once and
 * is retried shows its transitions in history order, the retry as attempt 2 with the first
 * attempt's error; `--follow` on a running run prints what has happened at once, then the
 * rest as it happens, and exits when the run closes.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Client } from '@temporalio/client';
import { switchyard, testServer, uniqueTaskQueue, useClient, withWorker } from './harness.js';
import { definitionFrom, pollFor, startGraph, tempDir } from './interpreter/support.js';

interface RunEvent {
  kind: string;
  task?: string;
  attempt?: number;
  retryOf?: string;
  retryReceipt?: { attempt: number; outcome: string; error?: string };
  error?: string;
}

const SWITCHYARD_BIN = fileURLToPath(new URL('../../bin/switchyard.js', import.meta.url));

describe('events', () => {
  let client: Client;
  useClient((c) => (client = c));

  it('lists a run with one retry in order, attempts and the retried error included', async () => {
    const dir = tempDir('events');
    const taskQueue = uniqueTaskQueue('events');
    const id = `events-${randomUUID()}`;
    const definition = definitionFrom(`version: 1
name: events-retry
input: { counter: "" }
tasks:
  a:
    action: script
    retry: { maximum_attempts: 3, initial_interval: 100ms }
    with:
      shell: 'n=$(cat "$1" 2>/dev/null || echo 0); echo $((n+1)) > "$1"; [ "$n" -ge 1 ] || { echo "first try fails" >&2; exit 1; }'
      args: ["{{ input.counter }}"]
    next: [{ do: [b] }]
  b:
    action: script
    with: { command: ["true"] }
`);
    const { human, machine } = await withWorker({ taskQueue }, async () => {
      await (await startGraph(client, taskQueue, id, { definition, input: { counter: join(dir, 'counter') } })).result();
      return { human: await switchyard(['events', id]), machine: await switchyard(['--json', 'events', id]) };
    });
    expect(machine.code, machine.stderr).toBe(0);
    const events = machine.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as RunEvent);
    expect(events.map((event) => [event.kind, event.task, event.attempt])).toEqual([
      ['run.started', undefined, undefined],
      ['task.scheduled', 'a', undefined],
      ['task.started', 'a', 2],
      ['task.succeeded', 'a', undefined],
      ['task.scheduled', 'b', undefined],
      ['task.started', 'b', 1],
      ['task.succeeded', 'b', undefined],
      ['run.completed', undefined, undefined],
    ]);
    expect(events[2]?.retryOf).toMatch(/first try fails/);
    // The failed first attempt's receipt, from the failure Temporal kept with the retry.
    expect(events[2]?.retryReceipt).toMatchObject({ attempt: 1, outcome: 'failed' });
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/task\.started\s+a attempt 2 \(retry after: .*first try fails/);
  });

  it('--follow prints events as they happen and exits when the run closes', async () => {
    const dir = tempDir('events-follow');
    const gate = join(dir, 'gate');
    const taskQueue = uniqueTaskQueue('events-follow');
    const id = `events-follow-${randomUUID()}`;
    const definition = definitionFrom(`version: 1
name: events-follow
input: { gate: "" }
tasks:
  wait:
    action: script
    retry: { maximum_attempts: 1 }
    with:
      shell: 'while [ ! -f "$1" ]; do sleep 0.05; done'
      args: ["{{ input.gate }}"]
    next: [{ do: [after] }]
  after:
    action: script
    with: { command: ["true"] }
`);
    await withWorker({ taskQueue }, async () => {
      await startGraph(client, taskQueue, id, { definition, input: { gate } });
      const { address, namespace } = testServer();
      const child = spawn(process.execPath, [SWITCHYARD_BIN, '--json', 'events', '--follow', id], {
        env: { ...process.env, TEMPORAL_ADDRESS: address, TEMPORAL_NAMESPACE: namespace },
      });
      let stdout = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
      const kinds = (): string[] =>
        stdout
          .split('\n')
          .filter(Boolean)
          .map((line) => (JSON.parse(line) as RunEvent).kind);
      // While the gate is shut: what has happened so far is out, and the process still runs.
      await pollFor('wait to be scheduled', () => (kinds().includes('task.scheduled') ? true : undefined), 600);
      expect(kinds()).not.toContain('run.completed');
      expect(child.exitCode).toBeNull();
      writeFileSync(gate, '');
      expect(await exited).toBe(0);
      const tasks = stdout
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as RunEvent)
        .filter((event) => event.kind === 'task.succeeded')
        .map((event) => event.task);
      expect(tasks).toEqual(['wait', 'after']);
      expect(kinds().at(-1)).toBe('run.completed');
    });
  });

  it('reads the whole continue-as-new chain, each task once, the runs linked by run.continued', async () => {
    const taskQueue = uniqueTaskQueue('events-can');
    const id = `events-can-${randomUUID()}`;
    const definition = definitionFrom(`version: 1
name: events-can
start: [tick]
vars: { n: 0 }
tasks:
  tick:
    action: script
    with: { command: [echo, "{{ ctx.n }}"] }
    next:
      - when: "ctx.n + 1 < 12"
        publish: { n: "{{ ctx.n + 1 }}" }
        do: [tick]
`);
    const { machine, traced } = await withWorker({ taskQueue }, async () => {
      await (await startGraph(client, taskQueue, id, { definition, continueAsNewAfterEvents: 20 })).result();
      return {
        machine: await switchyard(['--json', 'events', id]),
        traced: await switchyard(['--json', 'events', '--transitions', id]),
      };
    });
    expect(machine.code, machine.stderr).toBe(0);
    const events = machine.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as RunEvent & { runId: string; newRunId?: string; iteration?: number });
    const continued = events.filter((event) => event.kind === 'run.continued');
    expect(continued.length).toBeGreaterThanOrEqual(1);
    // Each continued run's events follow under the run id it names.
    for (const link of continued) {
      const after = events[events.indexOf(link) + 1];
      expect(after).toMatchObject({ kind: 'run.started', runId: link.newRunId });
    }
    const iterations = events.filter((event) => event.kind === 'task.succeeded').map((event) => event.iteration);
    expect(iterations).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
    expect(events.at(-1)?.kind).toBe('run.completed');

    // --transitions replays every run of the chain: tick's transition after each of its first
    // 11 runs (the 12th takes none), each after that run's success and in the same run.
    expect(traced.code, traced.stderr).toBe(0);
    const all = traced.stdout
      .trim()
      .split('\n')
      .map(
        (line) =>
          JSON.parse(line) as RunEvent & { runId: string; iteration?: number; transition?: { publish: string[]; do: string[] } },
      );
    const transitions = all.filter((event) => event.kind === 'transition');
    expect(transitions.map((event) => event.iteration)).toEqual(Array.from({ length: 11 }, (_, i) => i + 1));
    expect(transitions.every((event) => event.transition?.publish.join() === 'n' && event.transition.do.join() === 'tick')).toBe(
      true,
    );
    for (const taken of transitions) {
      const succeeded = all.findIndex((event) => event.kind === 'task.succeeded' && event.iteration === taken.iteration);
      expect(all.indexOf(taken)).toBeGreaterThan(succeeded);
      expect(all[succeeded]?.runId).toBe(taken.runId);
    }
    // Everything the plain listing has is still there, in the same order.
    expect(all.filter((event) => event.kind !== 'transition')).toEqual(events);
  });

  it('--transitions adds the transitions taken (when, publish, do) and join arrivals', async () => {
    const taskQueue = uniqueTaskQueue('events-transitions');
    const id = `events-transitions-${randomUUID()}`;
    const definition = definitionFrom(`version: 1
name: events-transitions
tasks:
  a:
    action: script
    with: { command: ["true"] }
    next: [{ when: succeeded, publish: { from_a: "yes" }, do: [merge] }]
  b:
    action: script
    with: { command: ["false"] }
    retry: { maximum_attempts: 1 }
    next: [{ when: failed, do: [merge] }]
  merge: { action: noop, join: all }
`);
    const human = await withWorker({ taskQueue }, async () => {
      await (await startGraph(client, taskQueue, id, { definition })).result();
      return switchyard(['events', '--transitions', id]);
    });
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toMatch(/transition\s+a next\[0\] when succeeded: publish from_a; do merge/);
    expect(human.stdout).toMatch(/transition\s+b next\[0\] when failed: do merge/);
    const arrivals = human.stdout.split('\n').filter((line) => /join\.arrived\s+merge ← [ab] \(round 1/.test(line));
    expect(arrivals).toHaveLength(2);
    expect(arrivals.filter((line) => line.endsWith(', fired)'))).toHaveLength(1);
    expect(human.stdout.indexOf('join.arrived')).toBeLessThan(human.stdout.indexOf('run.completed'));
    expect((await switchyard(['events', '--transitions', '--follow', id])).code).toBe(2);
  });
});
