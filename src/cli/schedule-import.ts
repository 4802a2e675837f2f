/**
 * `switchyard schedule import JOBS.json`: the old cron store (../shared/HERMES-CRON.md) as
 * Temporal Schedules, one per job (`hermes-<id>`). Thin: the translation is
 * src/schedules/hermes's, the plan and its application src/schedules's; this file reads the
 * file and flags, checks everything before any RPC, and prints.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { Command } from 'commander';
import { TASK_QUEUE } from '../constants.js';
import { parseDuration } from '../definition/index.js';
import { applySchedules, planSchedules, validateScheduleOptions, type ScheduleRequest } from '../schedules/index.js';
import { parseStoreText, StoreError, translateStore, type StoreProblem } from '../schedules/hermes/index.js';
import { emit, withClient, type GlobalOptions } from './context.js';
import { UsageError } from './errors.js';
import { checkStartSize } from './runs.js';

interface ImportFlags {
  dryRun?: boolean;
  scriptsDir?: string;
  tz?: string;
  runOverdue?: boolean;
  scriptTimeout?: string;
  python: string;
  taskQueue: string;
}

/** The tick's script timeout: HERMES_CRON_SCRIPT_TIMEOUT seconds, else 3600 s. */
function scriptTimeoutMs(flag: string | undefined, env: NodeJS.ProcessEnv): number {
  if (flag !== undefined) {
    try {
      return parseDuration(flag);
    } catch (err) {
      throw new UsageError(`--script-timeout ${flag}: ${(err as Error).message}`);
    }
  }
  const seconds = Number(env.HERMES_CRON_SCRIPT_TIMEOUT);
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : 3_600_000;
}

/** Adds `import` to the `schedule` command. */
export function addScheduleImport(schedule: Command, globals: () => GlobalOptions): void {
  schedule
    .command('import')
    .description('turn an old cron job file (jobs.json of the Hermes tick) into schedules, one per job; idempotent')
    .argument('<jobs.json>', 'the cron store, e.g. ~/.hermes/cron/jobs.json')
    .option('--dry-run', 'print the plan (create/update/unchanged/skip, with reasons) and change nothing')
    .option('--scripts-dir <dir>', "the folder job scripts are relative to (default: scripts/ beside the store's cron/ folder)")
    .option('--tz <zone>', "IANA zone the tick read cron expressions in (default: this machine's)")
    .option('--run-overdue', 'schedule past-due one-shots to run now instead of reporting them')
    .option('--script-timeout <duration>', 'script timeout (default HERMES_CRON_SCRIPT_TIMEOUT seconds, else 3600s)')
    .option('--python <program>', 'interpreter of scripts that are not .sh/.bash', 'python3')
    .option('--task-queue <name>', 'task queue of the fired runs', TASK_QUEUE)
    .action(async (file: string, flags: ImportFlags) => {
      const store = resolve(file);
      let text: string;
      try {
        text = await readFile(store, 'utf8');
      } catch (err) {
        throw new UsageError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
      }
      const now = new Date();
      const translation = translateStore(parseStoreText(text, file), {
        scriptsDir: resolve(flags.scriptsDir ?? resolve(dirname(store), '..', 'scripts')),
        timezone: flags.tz ?? Intl.DateTimeFormat().resolvedOptions().timeZone,
        now,
        runOverdue: Boolean(flags.runOverdue),
        scriptTimeoutMs: scriptTimeoutMs(flags.scriptTimeout, process.env),
        python: flags.python,
        source: store,
      });
      if (!translation.ok) return refuse(globals(), translation.problems);
      const requests: ScheduleRequest[] = translation.requests.map((request) => ({ ...request, taskQueue: flags.taskQueue }));
      // The schedule options are checked as `schedule create` checks its flags, before any RPC.
      const problems: StoreProblem[] = requests.flatMap((request) =>
        validateScheduleOptions(request.options, { now: now.getTime() }).map((p) => ({
          id: request.id.replace(/^hermes-/, ''),
          field: `schedule (${p.path})`,
          message: p.message,
        })),
      );
      // Every fire starts a run with the definition and input: over the payload limit, every one would fail.
      for (const request of requests) {
        try {
          checkStartSize(file, { definition: request.definition, input: request.input });
        } catch (err) {
          problems.push({ id: request.id.replace(/^hermes-/, ''), field: 'prompt', message: (err as Error).message });
        }
      }
      if (problems.length > 0) return refuse(globals(), problems);
      const warnings = [...translation.warnings];
      for (const request of requests) {
        const script = request.input.script;
        if (typeof script === 'string' && script !== '' && !existsSync(script))
          warnings.push(
            `job ${request.id.replace(/^hermes-/, '')}: script ${script} does not exist here (its runs fail until it does)`,
          );
      }

      await withClient(globals(), async (client) => {
        const plan = await planSchedules(client, requests);
        if (!flags.dryRun) await applySchedules(client, requests, plan);
        emit(globals(), { dryRun: Boolean(flags.dryRun), plan, skipped: translation.skipped, warnings }, () =>
          [
            ...plan.map(
              (step) => `${step.action.padEnd(9)} ${step.id}${step.reasons.length > 0 ? `: ${step.reasons.join('; ')}` : ''}`,
            ),
            ...translation.skipped.map((skip) => `${'skip'.padEnd(9)} hermes-${skip.jobId}: ${skip.reason}`),
            ...warnings.map((warning) => `warning: ${warning}`),
            ...(flags.dryRun ? ['(dry run: nothing changed)'] : []),
          ].join('\n'),
        );
      });
    });
}

/** Prints every problem and fails: nothing is asked of Temporal while the store is wrong. */
function refuse(options: GlobalOptions, problems: readonly StoreProblem[]): void {
  if (options.json) console.log(JSON.stringify({ ok: false, problems }, null, 2));
  else console.error(`${new StoreError(problems).message}\nnothing changed: fix the store first`);
  process.exitCode = 1;
}
