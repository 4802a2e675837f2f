/**
 * `switchyard schedule …` as a user runs it (bin/switchyard.js, a real child process) against
 * the tier's dev server, with a real worker on a task queue of each test's own: schedules
 * fire, their runs carry SwitchyardJob/SwitchyardGraph and are found by the `temporal` CLI's
 * visibility query; trigger, backfill, pause with a note, overlap skip, a run limit, a
 * one-shot `--at`; and `apply` (idempotent, all-or-nothing, prune).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import type { Client, ScheduleDescription } from '@temporalio/client';
import { switchyard, temporalCliJson, uniqueTaskQueue, useClient, withWorker } from './harness.js';

/** Runs `switchyard --json …`, which must succeed, and parses what it prints. */
async function json<T>(args: string[]): Promise<T> {
  const run = await switchyard(['--json', ...args]);
  if (run.code !== 0) throw new Error(`switchyard ${args.join(' ')} exited ${run.code}: ${run.stderr}`);
  return JSON.parse(run.stdout) as T;
}

const folder = mkdtempSync(join(tmpdir(), 'sy-schedules-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

function writeFile(name: string, text: string): string {
  const file = join(folder, name);
  writeFileSync(file, text);
  return file;
}

/** A definition whose one task sleeps `seconds` (0: just echoes), with an input `topic`. */
function definition(name: string, seconds = 0, schedule = ''): string {
  const command = seconds > 0 ? `[sleep, "${seconds}"]` : '[echo, "{{ input.topic }}"]';
  return `version: 1\nname: ${name}\ninput: { topic: AI }\ntasks:\n  work:\n    action: script\n    with: { command: ${command} }\noutput: { said: "{{ results.work.stdout }}" }\n${schedule}`;
}

const unique = (prefix: string): string => `${prefix}-${randomUUID().slice(0, 8)}`;

/** Polls `read` until `done` holds (at most `tries` times, 250 ms apart); returns the last value. */
async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, tries = 240): Promise<T> {
  let value = await read();
  for (let i = 0; i < tries && !done(value); i++) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    value = await read();
  }
  return value;
}

interface VisibleRun {
  execution: { workflowId: string };
  status: string;
  searchAttributes?: { indexedFields?: Record<string, { data?: string }> };
}

/** Runs the `temporal` CLI's visibility query finds for a schedule. */
async function runsOf(scheduleId: string): Promise<VisibleRun[]> {
  return (await temporalCliJson(['workflow', 'list', '--query', `SwitchyardJob="${scheduleId}"`])) as VisibleRun[];
}

const completed = (runs: VisibleRun[]): VisibleRun[] => runs.filter((run) => /COMPLETED/.test(run.status));

interface Report {
  scheduleId: string;
  graph: string;
  paused: boolean;
  note?: string;
  runsLeft: number | null;
  nextFires: string[];
  recentRuns: { workflowId: string; runId: string; status: string }[];
  counts: { taken: number; skippedOverlap: number; missedCatchup: number };
  input: Record<string, unknown>;
  options: Record<string, unknown>;
}

describe('switchyard schedule', () => {
  let client: Client;
  useClient((c) => (client = c));
  const describeSchedule = (id: string): Promise<ScheduleDescription> => client.schedule.getHandle(id).describe();
  const created: string[] = [];
  afterAll(async () => {
    for (const id of created)
      await client.schedule
        .getHandle(id)
        .delete()
        .catch(() => undefined);
  });

  it('fires every second; its runs carry SwitchyardJob and SwitchyardGraph and are found by the temporal CLI', async () => {
    const taskQueue = uniqueTaskQueue('sched-every');
    const name = unique('every');
    const id = unique('every-sched');
    created.push(id);
    const file = writeFile(`${name}.yaml`, definition(name));
    await withWorker({ taskQueue }, async () => {
      const made = await json<{ scheduleId: string; nextFires: string[] }>([
        'schedule',
        'create',
        file,
        '--every',
        '1s',
        '--id',
        id,
        '--input',
        'topic=chips',
        '--task-queue',
        taskQueue,
      ]);
      expect(made.scheduleId).toBe(id);
      const runs = await until(
        () => runsOf(id),
        (found) => completed(found).length >= 2,
      );
      expect(completed(runs).length).toBeGreaterThanOrEqual(2);
      for (const run of runs) expect(run.execution.workflowId.startsWith(`${id}-`)).toBe(true);
      // SwitchyardGraph is the definition's name: the list's graph filter finds the same runs.
      const byGraph = (await temporalCliJson(['workflow', 'list', '--query', `SwitchyardGraph="${name}"`])) as VisibleRun[];
      expect(byGraph.length).toBeGreaterThanOrEqual(2);
      const report = await json<Report>(['schedule', 'describe', id]);
      expect(report).toMatchObject({ scheduleId: id, graph: name, paused: false, runsLeft: null, input: { topic: 'chips' } });
      expect(report.nextFires).toHaveLength(5);
      expect(report.recentRuns.some((run) => run.status === 'COMPLETED' && run.workflowId.startsWith(`${id}-`))).toBe(true);
      // The fired run got the input: `echo chips`.
      const first = report.recentRuns.find((run) => run.status === 'COMPLETED');
      const result = (await client.workflow.getHandle(first?.workflowId ?? '').result()) as { output: { said: string } };
      expect(result.output.said.trim()).toBe('chips');
      // Temporal's own CLI sees the schedule.
      const listed = (await temporalCliJson(['schedule', 'list'])) as { scheduleId: string }[];
      expect(listed.map((entry) => entry.scheduleId)).toContain(id);
      expect((await switchyard(['schedule', 'delete', id])).code).toBe(0);
    });
    expect((await switchyard(['schedule', 'describe', id])).code).toBe(4);
    const list = await json<{ scheduleId: string }[]>(['schedule', 'list']);
    expect(list.map((entry) => entry.scheduleId)).not.toContain(id);
  });

  it('pause with a note (seen by describe and temporal schedule describe), unpause, trigger starts a run now', async () => {
    const taskQueue = uniqueTaskQueue('sched-trigger');
    const name = unique('trigger');
    const id = unique('trigger-sched');
    created.push(id);
    const file = writeFile(`${name}.yaml`, definition(name));
    // Yearly: it never fires by itself during the test.
    expect(
      (await switchyard(['schedule', 'create', file, '--cron', '0 0 1 1 *', '--id', id, '--task-queue', taskQueue])).code,
    ).toBe(0);
    expect((await switchyard(['schedule', 'pause', id, '--note', 'maintenance window'])).code).toBe(0);
    const paused = await json<Report>(['schedule', 'describe', id]);
    expect(paused).toMatchObject({ paused: true, note: 'maintenance window' });
    const temporal = (await temporalCliJson(['schedule', 'describe', '--schedule-id', id])) as {
      schedule: { state: { paused: boolean; notes: string } };
    };
    expect(temporal.schedule.state).toMatchObject({ paused: true, notes: 'maintenance window' });
    expect((await switchyard(['schedule', 'unpause', id, '--note', 'back'])).code).toBe(0);
    expect(await json<Report>(['schedule', 'describe', id])).toMatchObject({ paused: false, note: 'back' });

    await withWorker({ taskQueue }, async () => {
      expect((await switchyard(['schedule', 'trigger', id])).code).toBe(0);
      const runs = await until(
        () => runsOf(id),
        (found) => completed(found).length >= 1,
      );
      expect(completed(runs)).toHaveLength(1);
    });
    expect((await switchyard(['schedule', 'trigger', unique('nothing')])).code).toBe(4);
  });

  it('backfill takes the fires of a past range, even while paused', async () => {
    const taskQueue = uniqueTaskQueue('sched-backfill');
    const name = unique('backfill');
    const id = unique('backfill-sched');
    created.push(id);
    const file = writeFile(`${name}.yaml`, definition(name));
    expect(
      (
        await switchyard([
          'schedule',
          'create',
          file,
          '--every',
          '1m',
          '--paused',
          '--note',
          'backfill only',
          '--id',
          id,
          '--task-queue',
          taskQueue,
        ])
      ).code,
    ).toBe(0);
    // Two minute boundaries lie inside [floor - 2m50s, floor - 10s], whatever the inclusivity.
    const floor = Math.floor(Date.now() / 60_000) * 60_000;
    const from = new Date(floor - 170_000).toISOString();
    const to = new Date(floor - 10_000).toISOString();
    expect((await switchyard(['schedule', 'backfill', id, '--from', to, '--to', from])).code).toBe(2);
    await withWorker({ taskQueue }, async () => {
      expect((await switchyard(['schedule', 'backfill', id, '--from', from, '--to', to])).code).toBe(0);
      const runs = await until(
        () => runsOf(id),
        (found) => completed(found).length >= 2,
      );
      expect(completed(runs)).toHaveLength(2);
    });
    expect((await describeSchedule(id)).state.paused).toBe(true);
  });

  it('overlap skip: fires while a slow run goes are skipped and counted', async () => {
    const taskQueue = uniqueTaskQueue('sched-skip');
    const name = unique('slow');
    const id = unique('skip-sched');
    created.push(id);
    const file = writeFile(`${name}.yaml`, definition(name, 4));
    await withWorker({ taskQueue }, async () => {
      expect((await switchyard(['schedule', 'create', file, '--every', '1s', '--id', id, '--task-queue', taskQueue])).code).toBe(
        0,
      );
      const described = await until(
        () => describeSchedule(id),
        (description) => description.info.numActionsSkippedOverlap >= 2,
      );
      expect(described.policies.overlap).toBe('SKIP');
      expect(described.info.numActionsSkippedOverlap).toBeGreaterThanOrEqual(2);
      // Skip means never two at once.
      expect(described.info.runningActions.length).toBeLessThanOrEqual(1);
      const report = await json<Report>(['schedule', 'describe', id]);
      expect(report.counts.skippedOverlap).toBeGreaterThanOrEqual(2);
      await client.schedule.getHandle(id).pause('test over');
    });
  });

  it('--runs 2 fires twice and stops at 0 runs left; --at fires once', async () => {
    const taskQueue = uniqueTaskQueue('sched-runs');
    const name = unique('limited');
    const id = unique('runs-sched');
    const once = unique('once-sched');
    created.push(id, once);
    const file = writeFile(`${name}.yaml`, definition(name));
    await withWorker({ taskQueue }, async () => {
      expect(
        (await switchyard(['schedule', 'create', file, '--every', '1s', '--runs', '2', '--id', id, '--task-queue', taskQueue]))
          .code,
      ).toBe(0);
      // Soon enough to fire during the test; whether it has fired by the next line depends on the machine.
      const at = new Date(Math.ceil((Date.now() + 10_000) / 1_000) * 1_000).toISOString();
      expect((await switchyard(['schedule', 'create', file, '--at', at, '--id', once, '--task-queue', taskQueue])).code).toBe(0);
      // A one-shot far ahead shows its one fire and one run left.
      const later = unique('later-sched');
      created.push(later);
      expect((await switchyard(['schedule', 'create', file, '--at', '2099-01-01T07:00:00+02:00', '--id', later])).code).toBe(0);
      const before = await json<Report>(['schedule', 'describe', later]);
      expect(before.runsLeft).toBe(1);
      expect(before.nextFires).toEqual(['2099-01-01T05:00:00.000Z']);

      const limited = await until(
        () => describeSchedule(id),
        (description) => description.state.remainingActions === 0,
      );
      expect(limited.state.remainingActions).toBe(0);
      expect(limited.info.numActionsTaken).toBe(2);
      expect(limited.info.nextActionTimes).toEqual([]);
      const runs = await until(
        () => runsOf(id),
        (found) => completed(found).length >= 2,
      );
      expect(runs).toHaveLength(2);

      const oneShot = await until(
        () => describeSchedule(once),
        (description) => description.state.remainingActions === 0,
      );
      expect(oneShot.info.numActionsTaken).toBe(1);
      expect(oneShot.info.nextActionTimes).toEqual([]);
      expect(
        await until(
          () => runsOf(once),
          (found) => completed(found).length >= 1,
        ),
      ).toHaveLength(1);
      const report = await json<Report>(['schedule', 'describe', id]);
      expect(report.runsLeft).toBe(0);
      expect(report.nextFires).toEqual([]);
    });
  });

  it('update: a new version of the file and flags; the running schedule keeps its pause', async () => {
    const name = unique('updated');
    const id = unique('update-sched');
    created.push(id);
    const file = writeFile(`${name}.yaml`, definition(name));
    expect(
      (await switchyard(['schedule', 'create', file, '--cron', '0 7 * * *', '--tz', 'Europe/Berlin', '--id', id, '--paused']))
        .code,
    ).toBe(0);
    // Editing the file changes nothing until update (SPEC rule 12).
    writeFileSync(file, definition(name).replace('input: { topic: AI }', 'input: { topic: AI, extra: 1 }'));
    expect((await json<Report>(['schedule', 'describe', id])).input).toEqual({});
    expect((await switchyard(['schedule', 'update', id, '--every', '0s'])).code).toBe(2);
    expect((await switchyard(['schedule', 'update', id, file, '--every', '2h', '--input', 'extra=5'])).code).toBe(0);
    const report = await json<Report>(['schedule', 'describe', id]);
    expect(report).toMatchObject({ paused: true, input: { extra: 5 }, options: { every: '2h' } });
    const description = await describeSchedule(id);
    expect(description.spec.intervals?.map((interval) => interval.every)).toEqual([7_200_000]);
    expect(description.spec.timezone).toBe('Europe/Berlin');
    expect((await switchyard(['schedule', 'update', unique('nothing'), '--every', '1h'])).code).toBe(4);
  });
});

describe('switchyard schedule apply', () => {
  let client: Client;
  useClient((c) => (client = c));
  const created: string[] = [];
  afterAll(async () => {
    for (const id of created)
      await client.schedule
        .getHandle(id)
        .delete()
        .catch(() => undefined);
  });

  interface Applied {
    plan: { id: string; action: string; reasons: string[] }[];
    orphans: { id: string; reason: string }[];
  }
  const exists = (id: string): Promise<boolean> =>
    client.schedule
      .getHandle(id)
      .describe()
      .then(() => true)
      .catch(() => false);

  it('creates, then reports unchanged and changes nothing; a changed file is an update with its reason; --dry-run changes nothing', async () => {
    const a = unique('apply-a');
    const b = unique('apply-b');
    created.push(a, `${b}-nightly`);
    const fileA = writeFile(
      `${a}.yaml`,
      definition(a, 0, 'schedule:\n  cron: "0 7 * * *"\n  timezone: Europe/Berlin\n  input: { topic: chips }\n'),
    );
    const fileB = writeFile(
      `${b}.yaml`,
      definition(b, 0, `schedule: { id: ${b}-nightly, every: 6h, overlap: buffer-one, paused: true, note: new }\n`),
    );
    const plain = writeFile(`${unique('plain')}.yaml`, definition('plain'));

    const dry = await json<Applied>(['schedule', 'apply', '--dry-run', fileA, fileB, plain]);
    expect(dry.plan.map((step) => [step.id, step.action])).toEqual([
      [a, 'create'],
      [`${b}-nightly`, 'create'],
    ]);
    expect(await exists(a)).toBe(false);

    const first = await json<Applied>(['schedule', 'apply', fileA, fileB, plain]);
    expect(first.plan.map((step) => step.action)).toEqual(['create', 'create']);
    const describedB = await client.schedule.getHandle(`${b}-nightly`).describe();
    expect(describedB).toMatchObject({ state: { paused: true, note: 'new' }, policies: { overlap: 'BUFFER_ONE' } });
    const updatedAt = describedB.info.lastUpdatedAt;

    const second = await json<Applied>(['schedule', 'apply', fileA, fileB, plain]);
    expect(second.plan).toEqual([
      { id: a, action: 'unchanged', reasons: [] },
      { id: `${b}-nightly`, action: 'unchanged', reasons: [] },
    ]);
    expect((await client.schedule.getHandle(`${b}-nightly`).describe()).info.lastUpdatedAt).toEqual(updatedAt);

    writeFileSync(
      fileA,
      definition(a, 0, 'schedule:\n  cron: "30 7 * * *"\n  timezone: Europe/Berlin\n  input: { topic: chips }\n'),
    );
    const planned = await json<Applied>(['schedule', 'apply', '--dry-run', fileA, fileB]);
    expect(planned.plan[0]).toEqual({ id: a, action: 'update', reasons: [expect.stringMatching(/when it fires changed/)] });
    const third = await json<Applied>(['schedule', 'apply', fileA, fileB]);
    expect(third.plan.map((step) => step.action)).toEqual(['update', 'unchanged']);
    expect((await json<Applied>(['schedule', 'apply', fileA, fileB])).plan.map((step) => step.action)).toEqual([
      'unchanged',
      'unchanged',
    ]);
  });

  it('a definition with a schedule: block runs like any other, by run and by its applied schedule', async () => {
    const taskQueue = uniqueTaskQueue('sched-apply-run');
    const name = unique('applied');
    created.push(name);
    const file = writeFile(`${name}.yaml`, definition(name, 0, 'schedule: { cron: "0 0 1 1 *", input: { topic: scheduled } }\n'));
    await withWorker({ taskQueue }, async () => {
      const run = await json<{ result: { status: string; output: { said: string } } }>([
        'run',
        file,
        '--wait',
        '--task-queue',
        taskQueue,
      ]);
      expect(run.result.status).toBe('completed');
      expect(run.result.output.said.trim()).toBe('AI');
      expect((await json<Applied>(['schedule', 'apply', '--task-queue', taskQueue, file])).plan).toEqual([
        { id: name, action: 'create', reasons: ['no schedule with this id'] },
      ]);
      expect((await switchyard(['schedule', 'trigger', name])).code).toBe(0);
      const runs = await until(
        () => runsOf(name),
        (found) => completed(found).length >= 1,
      );
      expect(completed(runs)).toHaveLength(1);
      const fired = (await client.workflow.getHandle(runs[0]?.execution.workflowId ?? '').result()) as {
        output: { said: string };
      };
      expect(fired.output.said.trim()).toBe('scheduled');
    });
  });

  it('one invalid file: every problem is reported and nothing is created', async () => {
    const good = unique('good');
    const bad = unique('bad');
    created.push(good, bad);
    const goodFile = writeFile(`${good}.yaml`, definition(good, 0, 'schedule: { every: 1h }\n'));
    const badFile = writeFile(`${bad}.yaml`, definition(bad, 0, 'schedule:\n  cron: "0 25 * * *"\n  timezone: Mars/Olympus\n'));
    const run = await switchyard(['schedule', 'apply', goodFile, badFile]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/schedule\.cron .*hour '25'/);
    expect(run.stderr).toMatch(/schedule\.timezone .*Mars\/Olympus/);
    expect(run.stderr).toMatch(/nothing changed/);
    expect(await exists(good)).toBe(false);
    expect(await exists(bad)).toBe(false);
  });

  it('a managed schedule whose file is gone is listed, and deleted only with --prune', async () => {
    const keep = unique('keep');
    const gone = unique('gone');
    created.push(keep, gone);
    const keepFile = writeFile(`${keep}.yaml`, definition(keep, 0, 'schedule: { every: 1h }\n'));
    const goneFile = writeFile(`${gone}.yaml`, definition(gone, 0, 'schedule: { every: 1h }\n'));
    expect((await json<Applied>(['schedule', 'apply', keepFile, goneFile])).plan.map((step) => step.action)).toEqual([
      'create',
      'create',
    ]);
    rmSync(goneFile);
    // Schedule listing is eventually consistent: wait until the orphan shows.
    const listed = await until(
      () => json<Applied>(['schedule', 'apply', keepFile]),
      (applied) => applied.orphans.some((orphan) => orphan.id === gone),
      40,
    );
    expect(listed.orphans).toEqual([{ id: gone, source: goneFile, reason: expect.stringMatching(/is gone/) }]);
    expect(await exists(gone)).toBe(true);
    const dry = await json<Applied>(['schedule', 'apply', '--prune', '--dry-run', keepFile]);
    expect(dry.orphans.map((orphan) => orphan.id)).toEqual([gone]);
    expect(await exists(gone)).toBe(true);
    const pruned = await json<Applied & { pruned: boolean }>(['schedule', 'apply', '--prune', keepFile]);
    expect(pruned).toMatchObject({ pruned: true, plan: [{ id: keep, action: 'unchanged' }] });
    expect(await exists(gone)).toBe(false);
    expect(await exists(keep)).toBe(true);
  });
});
