/**
 * `switchyard schedule import` (issue 10 item 3) as a user runs it — bin/switchyard.js, a
 * real child process — against the tier's dev server, read back through the real `temporal`
 * CLI: the example store becomes one schedule per pending job with the tick's schedule,
 * pause, note and remaining runs; a second import changes nothing; `--dry-run` and a
 * malformed store create nothing.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type { Client } from '@temporalio/client';
import { switchyard, temporalCliJson, useClient } from './harness.js';

const EXAMPLE = fileURLToPath(new URL('../../examples/hermes/cron/jobs.json', import.meta.url));
const EXAMPLE_IDS = ['a1b2c3d4e5f6', 'b2c3d4e5f6a1', 'c3d4e5f6a1b2', 'd4e5f6a1b2c3', 'e5f6a1b2c3d4', '0a1b2c3d4e5f'];

interface ImportReport {
  dryRun: boolean;
  plan: { id: string; action: string; reasons: string[] }[];
  skipped: { jobId: string; reason: string }[];
  warnings: string[];
}

async function importJson(args: string[]): Promise<ImportReport> {
  const run = await switchyard(['--json', 'schedule', 'import', ...args]);
  if (run.code !== 0) throw new Error(`import exited ${run.code}: ${run.stderr}`);
  return JSON.parse(run.stdout) as ImportReport;
}

/** The parts of `temporal schedule describe --output json` these tests read. */
interface CliSchedule {
  schedule: {
    spec: { structuredCalendar?: unknown[]; interval?: unknown[]; timezoneName?: string };
    policies: { overlapPolicy?: string; catchupWindow?: string };
    state: { paused?: boolean; notes?: string; limitedActions?: boolean; remainingActions?: string | number };
  };
}

/** `temporal schedule describe` of a schedule, as the real CLI prints it. */
const describeCli = (id: string) => temporalCliJson(['schedule', 'describe', '--schedule-id', id]) as Promise<CliSchedule>;

const folder = mkdtempSync(join(tmpdir(), 'sy-hermes-import-'));

describe('schedule import of an old cron store', () => {
  let client: Client;
  useClient((c) => (client = c));
  const exists = async (id: string) =>
    client.schedule
      .getHandle(id)
      .describe()
      .then(
        () => true,
        () => false,
      );
  afterAll(async () => {
    for (const id of [...EXAMPLE_IDS, 'f6a1b2c3d4e5'])
      await client.schedule
        .getHandle(`hermes-${id}`)
        .delete()
        .catch(() => undefined);
    rmSync(folder, { recursive: true, force: true });
  });

  it('--dry-run prints the plan and creates nothing', async () => {
    const report = await importJson([EXAMPLE, '--tz', 'UTC', '--dry-run']);
    expect(report.dryRun).toBe(true);
    expect(report.plan.map((step) => [step.id, step.action]).sort()).toEqual(
      EXAMPLE_IDS.map((id) => [`hermes-${id}`, 'create']).sort(),
    );
    expect(report.skipped).toEqual([{ jobId: 'f6a1b2c3d4e5', reason: 'finished in the old store (state completed)' }]);
    expect(report.warnings.length).toBeGreaterThan(0);
    for (const id of EXAMPLE_IDS) expect(await exists(`hermes-${id}`)).toBe(false);
  });

  it('creates one schedule per pending job, as the real temporal CLI describes them', async () => {
    const report = await importJson([EXAMPLE, '--tz', 'UTC']);
    expect(report.plan.every((step) => step.action === 'create')).toBe(true);
    expect(await exists('hermes-f6a1b2c3d4e5')).toBe(false);

    const briefing = await describeCli('hermes-a1b2c3d4e5f6');
    // 0 7 * * 1-5 in UTC (proto3 leaves zero starts out: minute and second 0 print as {step: 1}).
    expect(briefing.schedule.spec).toMatchObject({
      structuredCalendar: [
        { minute: [{ step: 1 }], hour: [{ start: 7, end: 7, step: 1 }], dayOfWeek: [{ start: 1, end: 5, step: 1 }] },
      ],
      timezoneName: 'UTC',
    });
    expect(briefing.schedule.policies).toMatchObject({
      overlapPolicy: 'SCHEDULE_OVERLAP_POLICY_SKIP',
      catchupWindow: '31536000s',
    });
    const watchdog = await describeCli('hermes-b2c3d4e5f6a1');
    expect(watchdog.schedule.spec.interval).toMatchObject([{ interval: '900s' }]);
    const once = await describeCli('hermes-d4e5f6a1b2c3');
    expect(once.schedule.policies).toMatchObject({ catchupWindow: '120s' });

    const paused = await describeCli('hermes-e5f6a1b2c3d4');
    expect(paused.schedule.state.paused).toBe(true);
    expect(paused.schedule.state.notes).toBe(
      'paused in the old store at 2026-07-14T09:12:00+00:00: vendor API rate-limits us until August',
    );
    expect(Number(paused.schedule.state.remainingActions)).toBe(18);
    expect(paused.schedule.state.limitedActions).toBe(true);

    const hourly = await describeCli('hermes-0a1b2c3d4e5f');
    expect(Number(hourly.schedule.state.remainingActions)).toBe(6);
  });

  it('a second import changes nothing', async () => {
    const report = await importJson([EXAMPLE, '--tz', 'UTC']);
    expect(report.plan.map((step) => step.action)).toEqual(EXAMPLE_IDS.map(() => 'unchanged'));
  });

  it('a malformed store fails with the job index, id and field, and creates nothing', async () => {
    const store = join(folder, 'jobs.json');
    writeFileSync(
      store,
      JSON.stringify({
        jobs: [
          { id: '111111111111', prompt: 'ok', schedule: { kind: 'interval', minutes: 30 } },
          { id: '222222222222', prompt: 'bad', schedule: { kind: 'cron', expr: 'every monday' } },
        ],
      }),
    );
    const run = await switchyard(['schedule', 'import', store]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('jobs[1] (id 222222222222) schedule.expr:');
    expect(run.stderr).toContain('nothing changed');
    expect(await exists('hermes-111111111111')).toBe(false);
  });
});
