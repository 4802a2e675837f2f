/**
 * The `schedule` commands over Temporal Schedules: create, list, describe, pause, unpause,
 * trigger, backfill, update, delete and apply. Thin: options, plans and the Temporal shape
 * of a schedule are src/schedules/'s; this file reads flags, checks them before any RPC
 * (each problem naming its flag) and prints.
 */
import { resolve } from 'node:path';
import { Option, type Command } from 'commander';
import {
  ScheduleAlreadyRunning,
  ScheduleNotFoundError,
  type Client,
  type ScheduleDescription,
  type ScheduleHandle,
} from '@temporalio/client';
import { TASK_QUEUE } from '../constants.js';
import {
  DEFINITION_NAME_PATTERN,
  DEFINITION_NAME_RULE,
  formatProblems,
  type Definition,
  type Problem,
} from '../definition/index.js';
import {
  actionMemo,
  applySchedules,
  findOrphans,
  loadScheduleRequests,
  MEMO,
  optionsFromBlock,
  OVERLAP_NAMES,
  overlapPolicy,
  planSchedules,
  SCHEDULE_DEFAULTS,
  temporalSchedule,
  updateSchedule,
  validateScheduleOptions,
  type OverlapName,
  type ScheduleOptions,
  type ScheduleRequest,
} from '../schedules/index.js';
import { formatDuration } from '../definition/duration.js';
import { interpretGraph, type InterpretInput } from '../workflows/index.js';
import { emit, withClient, type CommandGroup, type GlobalOptions } from './context.js';
import { NotFoundError, UsageError } from './errors.js';
import { checkRunInput, checkStartSize, loadDefinitionFile, parseInputPairs } from './runs.js';
import { addScheduleImport } from './schedule-import.js';

/** The flags `create` and `update` share. */
interface ScheduleFlags {
  cron: string[];
  every?: string;
  at?: string;
  tz?: string;
  id?: string;
  input: string[];
  overlap?: OverlapName;
  catchup?: string;
  jitter?: string;
  runs?: string;
  paused?: boolean;
  note?: string;
  taskQueue?: string;
}

/** The flag that sets each option, for problems. */
const FLAG: Record<keyof ScheduleOptions, string> = {
  cron: '--cron',
  every: '--every',
  at: '--at',
  timezone: '--tz',
  overlap: '--overlap',
  catchup: '--catchup',
  jitter: '--jitter',
  runs: '--runs',
  paused: '--paused',
  note: '--note',
};

/** The options the flags give; only those given. */
function flagOptions(flags: ScheduleFlags): ScheduleOptions {
  const runs = flags.runs === undefined ? undefined : /^-?\d+$/.test(flags.runs.trim()) ? Number(flags.runs) : Number.NaN;
  const options: ScheduleOptions = {
    cron: flags.cron.length > 0 ? flags.cron : undefined,
    every: flags.every,
    at: flags.at,
    timezone: flags.tz,
    overlap: flags.overlap,
    catchup: flags.catchup,
    jitter: flags.jitter,
    runs,
    paused: flags.paused,
    note: flags.note,
  };
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined));
}

/**
 * Flags over a base (a file's `schedule:` block, or what a schedule has now): when any of
 * --cron/--every/--at is given they replace all three, the others replace one each.
 */
function mergeOptions(base: ScheduleOptions, flags: ScheduleOptions): ScheduleOptions {
  const when = flags.cron !== undefined || flags.every !== undefined || flags.at !== undefined;
  const merged: ScheduleOptions = { ...base, ...(when ? { cron: undefined, every: undefined, at: undefined } : {}), ...flags };
  return Object.fromEntries(Object.entries(merged).filter(([, value]) => value !== undefined));
}

/** Throws a usage error listing every problem, each named by its flag or its file's field. */
function refuse(problems: Problem[]): void {
  if (problems.length === 0) return;
  throw new UsageError(problems.map((problem) => `${problem.path}: ${problem.message}`).join('\n'));
}

/** Checks merged options, naming a field by its flag when the flag set it, else by the file's field. */
function checkOptions(options: ScheduleOptions, flags: ScheduleOptions, file: string | undefined): void {
  refuse(
    validateScheduleOptions(options, {
      now: Date.now(),
      label: (field) => (flags[field] !== undefined || file === undefined ? FLAG[field] : `${file}: schedule.${field}`),
    }),
  );
}

function checkId(id: string): void {
  if (!DEFINITION_NAME_PATTERN.test(id)) throw new UsageError(`--id ${id}: ${DEFINITION_NAME_RULE}`);
}

/** A schedule's handle after making sure it exists (exit 4 otherwise). */
async function existingSchedule(
  client: Client,
  id: string,
): Promise<{ handle: ScheduleHandle; description: ScheduleDescription }> {
  const handle = client.schedule.getHandle(id);
  try {
    return { handle, description: await handle.describe() };
  } catch (err) {
    if (err instanceof ScheduleNotFoundError) throw new NotFoundError(`no schedule with id ${id}`);
    throw err;
  }
}

/** The definition and input a schedule's action carries. */
function actionInput(description: ScheduleDescription): InterpretInput | undefined {
  const [first] = description.action.args ?? [];
  return typeof first === 'object' && first !== null ? (first as InterpretInput) : undefined;
}

/** What `describe` shows. */
async function scheduleReport(client: Client, description: ScheduleDescription): Promise<Record<string, unknown>> {
  const { spec, policies, state, info } = description;
  const recent = await Promise.all(
    info.recentActions.map(async (action) => {
      const { workflowId, firstExecutionRunId: runId } = action.action.workflow;
      const status = await client.workflow
        .getHandle(workflowId, runId)
        .describe()
        .then((run) => run.status.name)
        .catch(() => 'UNKNOWN');
      return { workflowId, runId, status, scheduledAt: action.scheduledAt.toISOString(), takenAt: action.takenAt.toISOString() };
    }),
  );
  const input = actionInput(description);
  return {
    scheduleId: description.scheduleId,
    graph: (input?.definition as Definition | undefined)?.name,
    options: actionMemo(description, MEMO.options),
    spec: {
      calendars: spec.calendars?.length ?? 0,
      intervalsMs: spec.intervals?.map((interval) => interval.every),
      timezone: spec.timezone || 'UTC',
      jitterMs: spec.jitter,
    },
    input: input?.input ?? {},
    taskQueue: description.action.taskQueue,
    overlap: policies.overlap,
    catchupWindowMs: policies.catchupWindow,
    paused: state.paused,
    note: state.note,
    runsLeft: state.remainingActions ?? null,
    nextFires: info.nextActionTimes.slice(0, 5).map((time) => time.toISOString()),
    recentRuns: recent,
    running: info.runningActions.map((action) => action.workflow.workflowId),
    counts: {
      taken: info.numActionsTaken,
      skippedOverlap: info.numActionsSkippedOverlap,
      missedCatchup: info.numActionsMissedCatchupWindow,
    },
    managedBy: actionMemo(description, MEMO.managedBy),
    source: actionMemo(description, MEMO.source),
  };
}

function humanReport(report: Record<string, unknown>): string {
  const options = (report.options ?? {}) as ScheduleOptions;
  const when = options.cron?.join(' | ') ?? (options.every ? `every ${options.every}` : options.at ? `at ${options.at}` : '?');
  const recent = (report.recentRuns as { workflowId: string; status: string; takenAt: string }[]).map(
    (run) => `    ${run.status.padEnd(12)} ${run.workflowId}  ${run.takenAt}`,
  );
  const counts = report.counts as Record<string, number>;
  const spec = report.spec as { timezone: string; jitterMs?: number };
  const jitter = spec.jitterMs ? `, jitter ${formatDuration(spec.jitterMs)}` : '';
  const overlap = String(report.overlap).toLowerCase().replace('_', '-');
  return [
    `${String(report.scheduleId)}  (graph ${String(report.graph)})`,
    `  when:       ${when}  [${spec.timezone}${jitter}]`,
    `  input:      ${JSON.stringify(report.input)}`,
    `  overlap:    ${overlap}   catch-up: ${formatDuration(Number(report.catchupWindowMs))}`,
    `  state:      ${report.paused ? 'paused' : 'active'}${report.note ? ` — ${String(report.note)}` : ''}`,
    `  runs left:  ${report.runsLeft === null ? 'no limit' : String(report.runsLeft)}`,
    `  next fires: ${(report.nextFires as string[]).join(', ') || '—'}`,
    `  taken ${counts.taken}, skipped (overlap) ${counts.skippedOverlap}, missed (catch-up) ${counts.missedCatchup}`,
    `  recent runs:`,
    ...(recent.length > 0 ? recent : ['    —']),
  ].join('\n');
}

/** Adds the `schedule` command and its subcommands to the program. */
export const addScheduleCommands: CommandGroup = (program, globals) => {
  const schedule = program.command('schedule').description('run definitions on a schedule (Temporal Schedules)');

  withScheduleFlags(
    schedule
      .command('create')
      .description('create a schedule that runs a definition (its schedule: block gives defaults)')
      .argument('<file>', 'YAML definition file'),
  ).action(async (file: string, flags: ScheduleFlags) => {
    const { definition } = await loadDefinitionFile(file);
    const given = flagOptions(flags);
    const block = definition.schedule;
    const options = mergeOptions(block === undefined ? {} : optionsFromBlock(block), given);
    checkOptions(options, given, block === undefined ? undefined : file);
    const input = { ...block?.input, ...parseInputPairs(flags.input) };
    checkRunInput(definition, input);
    checkStartSize(file, { definition, input, source: resolve(file) });
    const id = flags.id ?? block?.id ?? definition.name;
    checkId(id);
    const request: ScheduleRequest = {
      id,
      definition,
      input,
      options,
      source: resolve(file),
      taskQueue: flags.taskQueue ?? TASK_QUEUE,
    };
    await withClient(globals(), async (client) => {
      try {
        await client.schedule.create(temporalSchedule(request));
      } catch (err) {
        if (err instanceof ScheduleAlreadyRunning)
          throw new UsageError(`a schedule with id ${id} exists: change it with 'schedule update ${id}', or give --id`);
        throw err;
      }
      const { description } = await existingSchedule(client, id);
      const nextFires = description.info.nextActionTimes.slice(0, 5).map((time) => time.toISOString());
      emit(globals(), { scheduleId: id, created: true, nextFires }, () => `created schedule ${id}; next: ${nextFires[0] ?? '—'}`);
    });
  });

  schedule
    .command('list')
    .description("Switchyard's schedules")
    .action(async () =>
      withClient(globals(), async (client) => {
        const rows: Record<string, unknown>[] = [];
        for await (const summary of client.schedule.list()) {
          if (summary.action?.workflowType !== interpretGraph.name) continue;
          rows.push({
            scheduleId: summary.scheduleId,
            paused: summary.state.paused,
            note: summary.state.note,
            nextFire: summary.info?.nextActionTimes[0]?.toISOString(),
            lastRun: summary.info?.recentActions.at(-1)?.action.workflow.workflowId,
          });
        }
        rows.sort((a, b) => String(a.scheduleId).localeCompare(String(b.scheduleId)));
        emit(
          globals(),
          rows,
          () =>
            rows
              .map(
                (row) =>
                  `${String(row.scheduleId).padEnd(30)} ${row.paused ? 'paused' : 'active'}  next ${String(row.nextFire ?? '—')}`,
              )
              .join('\n') || 'no schedules',
        );
      }),
    );

  schedule
    .command('describe')
    .description("a schedule's spec, next 5 fires, recent runs with status, pause note and runs left")
    .argument('<id>', 'schedule id')
    .action(async (id: string) =>
      withClient(globals(), async (client) => {
        const report = await scheduleReport(client, (await existingSchedule(client, id)).description);
        emit(globals(), report, () => humanReport(report));
      }),
    );

  for (const [name, description] of [
    ['pause', 'stop firing until unpaused'],
    ['unpause', 'fire again'],
  ] as const) {
    schedule
      .command(name)
      .description(description)
      .argument('<id>', 'schedule id')
      .option('--note <text>', 'why (shown by describe)')
      .action(async (id: string, opts: { note?: string }) =>
        withClient(globals(), async (client) => {
          const { handle } = await existingSchedule(client, id);
          const note = opts.note ?? `${name}d with switchyard`;
          await (name === 'pause' ? handle.pause(note) : handle.unpause(note));
          emit(globals(), { scheduleId: id, paused: name === 'pause', note }, () => `${name}d ${id}`);
        }),
      );
  }

  schedule
    .command('trigger')
    .description('start a run now')
    .argument('<id>', 'schedule id')
    .addOption(new Option('--overlap <policy>', "overlap policy for this run (default: the schedule's)").choices(OVERLAP_NAMES))
    .action(async (id: string, opts: { overlap?: OverlapName }) =>
      withClient(globals(), async (client) => {
        const { handle } = await existingSchedule(client, id);
        await handle.trigger(opts.overlap === undefined ? undefined : overlapPolicy(opts.overlap));
        emit(globals(), { scheduleId: id, triggered: true }, () => `triggered ${id}`);
      }),
    );

  schedule
    .command('backfill')
    .description('take the fires the schedule would have taken between two instants')
    .argument('<id>', 'schedule id')
    .requiredOption('--from <time>', 'start, ISO 8601')
    .requiredOption('--to <time>', 'end, ISO 8601')
    .addOption(
      new Option('--overlap <policy>', 'overlap policy among the backfilled runs').choices(OVERLAP_NAMES).default('buffer-all'),
    )
    .action(async (id: string, opts: { from: string; to: string; overlap: OverlapName }) => {
      const start = instant('--from', opts.from);
      const end = instant('--to', opts.to);
      if (end <= start) throw new UsageError(`--to ${opts.to}: must be after --from ${opts.from}`);
      await withClient(globals(), async (client) => {
        const { handle } = await existingSchedule(client, id);
        await handle.backfill({ start, end, overlap: overlapPolicy(opts.overlap) });
        emit(
          globals(),
          { scheduleId: id, backfill: { from: start.toISOString(), to: end.toISOString(), overlap: opts.overlap } },
          () => `backfilling ${id} from ${start.toISOString()} to ${end.toISOString()}`,
        );
      });
    });

  withScheduleFlags(
    schedule
      .command('update')
      .description('change a schedule: a new version of its definition file and/or flags; what is not given stays')
      .argument('<id>', 'schedule id')
      .argument('[file]', 'YAML definition file (its new version)'),
  ).action(async (id: string, file: string | undefined, flags: ScheduleFlags) => {
    if (flags.id !== undefined) throw new UsageError('--id: a schedule keeps its id; create a new one instead');
    const loaded = file === undefined ? undefined : await loadDefinitionFile(file);
    const given = flagOptions(flags);
    const pairs = parseInputPairs(flags.input);
    // The flags alone first, before any RPC; the merged options again once the schedule is read.
    refuse(validateScheduleOptions(given, { now: Date.now(), partial: true, label: (field) => FLAG[field] }));
    await withClient(globals(), async (client) => {
      const { description } = await existingSchedule(client, id);
      const current = actionInput(description);
      const definition = loaded?.definition ?? (current?.definition as Definition | undefined);
      if (definition === undefined) throw new UsageError(`schedule ${id} does not run a Switchyard definition: give FILE`);
      const block = loaded?.definition.schedule;
      const stored = (actionMemo(description, MEMO.options) ?? {}) as ScheduleOptions;
      const options = mergeOptions(block === undefined ? stored : optionsFromBlock(block), given);
      checkOptions(options, given, block === undefined ? undefined : file);
      const input = { ...(block?.input ?? current?.input ?? {}), ...pairs };
      checkRunInput(definition, input);
      checkStartSize(file ?? id, { definition, input });
      // The state an operator set (paused, note, runs left) stays unless a flag or the new file's block changes it.
      const fromFile = block === undefined ? {} : optionsFromBlock(block);
      const state = {
        paused: given.paused ?? fromFile.paused ?? description.state.paused,
        note: given.note ?? fromFile.note ?? description.state.note,
        runs: given.runs ?? fromFile.runs ?? description.state.remainingActions,
      };
      const managedBy = actionMemo(description, MEMO.managedBy);
      const source = file === undefined ? actionMemo(description, MEMO.source) : resolve(file);
      await updateSchedule(client, {
        id,
        definition,
        input,
        options: { ...options, ...state },
        taskQueue: flags.taskQueue ?? description.action.taskQueue,
        ...(typeof source === 'string' ? { source } : {}),
        ...(typeof managedBy === 'string' ? { managedBy } : {}),
      });
      emit(globals(), { scheduleId: id, updated: true }, () => `updated schedule ${id}`);
    });
  });

  schedule
    .command('delete')
    .description('delete a schedule (its runs so far are kept)')
    .argument('<id>', 'schedule id')
    .action(async (id: string) =>
      withClient(globals(), async (client) => {
        const { handle } = await existingSchedule(client, id);
        await handle.delete();
        emit(globals(), { scheduleId: id, deleted: true }, () => `deleted schedule ${id}`);
      }),
    );

  schedule
    .command('apply')
    .description("create or update the schedules that definitions' schedule: blocks declare; idempotent")
    .argument('<files...>', 'YAML definition files')
    .option('--dry-run', 'print the plan and change nothing')
    .option('--prune', 'delete schedules apply made whose file is gone or no longer declares them')
    .option('--task-queue <name>', 'task queue of the fired runs', TASK_QUEUE)
    .action(async (files: string[], opts: { dryRun?: boolean; prune?: boolean; taskQueue: string }) => {
      const loaded = await loadScheduleRequests(files, { taskQueue: opts.taskQueue, now: Date.now() });
      if (loaded.failures.length > 0) {
        // Nothing is asked of Temporal while any file is wrong.
        reportFailures(globals(), loaded.failures);
        process.exitCode = 1;
        return;
      }
      await withClient(globals(), async (client) => {
        const plan = await planSchedules(client, loaded.requests);
        const orphans = await findOrphans(client, loaded.requests, files);
        if (!opts.dryRun) {
          await applySchedules(client, loaded.requests, plan);
          if (opts.prune) for (const orphan of orphans) await client.schedule.getHandle(orphan.id).delete();
        }
        const pruned = Boolean(opts.prune && !opts.dryRun);
        emit(globals(), { dryRun: Boolean(opts.dryRun), plan, orphans, pruned, skipped: loaded.skipped }, () =>
          [
            ...plan.map(
              (step) => `${step.action.padEnd(9)} ${step.id}${step.reasons.length > 0 ? `: ${step.reasons.join('; ')}` : ''}`,
            ),
            ...orphans.map(
              (orphan) =>
                `${(pruned ? 'deleted' : opts.prune ? 'delete' : 'orphaned').padEnd(9)} ${orphan.id}: ${orphan.reason}${opts.prune ? '' : ' (--prune deletes it)'}`,
            ),
            ...loaded.skipped.map((file) => `skipped   ${file}: no schedule: block`),
            ...(opts.dryRun ? ['(dry run: nothing changed)'] : []),
          ].join('\n'),
        );
      });
    });
  addScheduleImport(schedule, globals);
};

function reportFailures(options: GlobalOptions, failures: { file: string; problems: Problem[] }[]): void {
  if (options.json) {
    console.log(JSON.stringify({ ok: false, failures }, null, 2));
    return;
  }
  for (const { file, problems } of failures) console.error(formatProblems(problems, file));
  console.error('nothing changed: fix every file first');
}

function instant(flag: string, text: string): Date {
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) throw new UsageError(`${flag} ${text}: not a date-time (use ISO 8601, e.g. 2026-11-22T07:00:00Z)`);
  return new Date(ms);
}

/** Adds the flags `create` and `update` share. */
function withScheduleFlags(command: Command): Command {
  return command
    .option('--cron <expr>', 'cron expression, 5–7 fields or @daily …; repeatable', collect, [])
    .option('--every <duration>', 'fire at this interval, e.g. 15m')
    .option('--at <time>', 'fire once at this ISO 8601 instant')
    .option('--tz <zone>', 'IANA time zone for --cron and a wall-clock --at (default UTC)')
    .option('--id <id>', "schedule id (default: the schedule: block's id, else the definition's name)")
    .option('-i, --input <key=value>', 'run input of every fired run (repeatable; JSON values are parsed)', collect, [])
    .addOption(
      new Option('--overlap <policy>', `when a run is still going (default ${SCHEDULE_DEFAULTS.overlap})`).choices(OVERLAP_NAMES),
    )
    .option('--catchup <duration>', `fires missed in an outage are taken within this (default ${SCHEDULE_DEFAULTS.catchup})`)
    .option('--jitter <duration>', 'delay each fire by a random amount up to this')
    .option('--runs <n>', 'fire at most this many times')
    .option('--paused', 'create it paused')
    .option('--note <text>', 'a note, e.g. why it is paused')
    .option('--task-queue <name>', `task queue of the fired runs (default ${TASK_QUEUE})`);
}

/** Commander's way to take a repeatable option as a list. */
function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}
