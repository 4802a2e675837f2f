/**
 * `translateStore`: the old cron store → one schedule request per job (`hermes-<id>`), the
 * jobs it does not schedule with the reason, and one warning line per field it cannot
 * honour, naming the job and the field. Pure: no clock (`now` is an option), no I/O, no
 * Temporal; the `schedule import` command plans and applies what it returns.
 */
import { dirname, extname, resolve } from 'node:path';
import { validateDefinition } from '../../definition/index.js';
import { hasTemplates } from '../../definition/templates.js';
import { translateDelivery } from './delivery.js';
import { hermesDefinition, type GraphInput, type GraphPlan } from './graph.js';
import { translateModel } from './model.js';
import { KNOWN_JOB_FIELDS, parseStore, type HermesJob, type StoreProblem } from './store.js';
import type { ScheduleOptions, ScheduleRequest } from './types.js';

/** Options of {@link translateStore}. */
export interface TranslateOptions {
  /** The folder job scripts are relative to (absolute). */
  scriptsDir: string;
  /** IANA zone the tick's cron expressions were read in (its configured `timezone`, else the server's). */
  timezone: string;
  /** The instant of the import. */
  now: Date;
  /** Schedule past-due one-shots to run now instead of reporting them. */
  runOverdue?: boolean;
  /** The tick's script timeout (HERMES_CRON_SCRIPT_TIMEOUT, default 3600 s). */
  scriptTimeoutMs?: number;
  /** The interpreter of scripts that are not .sh/.bash (the tick ran them under its Python). */
  python?: string;
  /** Names the store in each request's `source`. */
  source?: string;
}

/** A job that is not scheduled, and why. */
export interface SkippedJob {
  jobId: string;
  reason: string;
}

/** What a store translates to. */
export interface Translation {
  requests: ScheduleRequest[];
  skipped: SkippedJob[];
  warnings: string[];
}

/** The tick's one-shot grace window: a one-shot this late still ran. */
export const ONE_SHOT_GRACE_MS = 120_000;
/** A past-due one-shot imported with --run-overdue fires this long after the import. */
export const OVERDUE_DELAY_MS = 30_000;
/**
 * Catch-up of recurring jobs: the tick ran a late job once however late it was (it
 * fast-forwarded past the grace window and ran now), so any missed slot is caught up — and
 * overlap `skip` makes that one run, not one per missed slot.
 */
export const RECURRING_CATCHUP = '365d';

/** Translates a whole store, or returns every problem (nothing is translated then). */
export function translateStore(
  store: unknown,
  options: TranslateOptions,
): ({ ok: true } & Translation) | { ok: false; problems: StoreProblem[] } {
  const parsed = parseStore(store);
  if (!parsed.ok) return parsed;
  const ids = new Set(parsed.jobs.map((job) => job.id));
  const problems: StoreProblem[] = [];
  const out: Translation = { requests: [], skipped: [], warnings: [] };
  parsed.jobs.forEach((job, index) => {
    const result = translateJob(job, ids, options);
    if ('problem' in result) problems.push({ index, id: job.id, ...result.problem });
    else {
      out.warnings.push(...result.warnings.map((w) => `job ${job.id}${job.name ? ` (${job.name})` : ''}: ${w}`));
      if (result.request) out.requests.push(result.request);
      else out.skipped.push({ jobId: job.id, reason: result.skip });
    }
  });
  return problems.length > 0 ? { ok: false, problems } : { ok: true, ...out };
}

type JobResult =
  | { problem: { field: string; message: string } }
  | { request: ScheduleRequest; warnings: string[] }
  | { request?: undefined; skip: string; warnings: string[] };

/** The remaining runs (`repeat.times - completed`), undefined when unlimited. */
function remainingRuns(job: HermesJob): number | undefined {
  const times = job.repeat?.times ?? (job.schedule.kind === 'once' ? 1 : null);
  if (times === null || times === undefined || times <= 0) return undefined;
  return times - (job.repeat?.completed ?? 0);
}

function translateJob(job: HermesJob, ids: ReadonlySet<string>, options: TranslateOptions): JobResult {
  const warnings: string[] = [];
  const name = `hermes-${job.id}`;

  // Fields that are finished, not pending: report and do not schedule.
  const remaining = remainingRuns(job);
  if (job.state === 'completed') return { skip: 'finished in the old store (state completed)', warnings };
  if (remaining !== undefined && remaining <= 0)
    return { skip: `reached its repeat limit (times ${job.repeat?.times}, completed ${job.repeat?.completed ?? 0})`, warnings };

  const schedule: ScheduleOptions = { overlap: 'skip' };
  const sched = job.schedule;
  if (sched.kind === 'cron') {
    schedule.cron = [sched.expr.trim().replace(/\s+/g, ' ')];
    schedule.timezone = options.timezone;
    schedule.catchup = RECURRING_CATCHUP;
    warnings.push(...offsetWarnings(job, options.timezone));
  } else if (sched.kind === 'interval') {
    schedule.every = `${sched.minutes}m`;
    schedule.catchup = RECURRING_CATCHUP;
  } else {
    if (job.last_run_at) return { skip: `one-shot already ran at ${job.last_run_at}`, warnings };
    const at = Date.parse(sched.run_at);
    const late = options.now.getTime() - at;
    if (late > ONE_SHOT_GRACE_MS && !options.runOverdue)
      return {
        skip: `one-shot past due since ${sched.run_at} (beyond the tick's 120 s grace; --run-overdue runs it now)`,
        warnings,
      };
    schedule.at = late > 0 ? new Date(options.now.getTime() + OVERDUE_DELAY_MS).toISOString() : new Date(at).toISOString();
    if (late > ONE_SHOT_GRACE_MS)
      warnings.push(`one-shot past due since ${sched.run_at}: runs at ${schedule.at} (--run-overdue)`);
    schedule.catchup = `${ONE_SHOT_GRACE_MS / 1000}s`;
  }
  if (remaining !== undefined && sched.kind !== 'once') schedule.runs = remaining;

  if (job.enabled === false || job.state === 'paused') {
    schedule.paused = true;
    const when = job.paused_at ? ` at ${job.paused_at}` : '';
    schedule.note = job.paused_reason
      ? `paused in the old store${when}: ${job.paused_reason}`
      : `${job.enabled === false ? 'disabled' : 'paused'} in the old store${when}`;
  } else {
    schedule.note = `imported from the Hermes cron store, job ${job.id}`;
  }
  if (job.state === 'error')
    warnings.push(
      `state is error in the old store (${job.last_error ?? 'its next run could not be computed'}); imported as scheduled`,
    );

  // The script: inside the scripts folder, run by bash or the Python interpreter.
  const prompt = job.prompt ?? '';
  let script: GraphPlan['script'];
  let scriptPath = '';
  if (job.script) {
    scriptPath = resolve(options.scriptsDir, job.script);
    const interpreter = ['.sh', '.bash'].includes(extname(scriptPath)) ? 'bash' : (options.python ?? 'python3');
    const cwd = job.workdir ?? dirname(scriptPath);
    if (hasTemplates(cwd))
      return { problem: { field: 'workdir', message: 'contains {{, which a working directory may not hold' } };
    script = { interpreter, cwd, timeoutMs: options.scriptTimeoutMs ?? 3_600_000 };
    if (job.workdir)
      warnings.push(
        'workdir: the script runs there and runs of this job never overlap, but unlike the tick, jobs with a workdir do not wait for each other',
      );
  } else if (job.workdir) {
    warnings.push('workdir: without a script it has no counterpart (the agent runs no tools); kept in the memo');
  }
  const skills = [...new Set([...(job.skills ?? []), ...(job.skill ? [job.skill] : [])])];
  if (!job.no_agent && !job.script && prompt.trim() === '')
    return {
      skip: `its prompt is empty and its skills (${skills.join(', ') || 'none'}) have no Switchyard counterpart: nothing to ask the agent`,
      warnings,
    };

  // The agent: pins, context_from.
  let agent: GraphPlan['agent'];
  if (!job.no_agent) {
    const model = translateModel(job);
    warnings.push(...model.warnings);
    const contextFrom = (typeof job.context_from === 'string' ? [job.context_from] : (job.context_from ?? [])).filter((id) => {
      if (!/^[A-Za-z0-9_-]{1,64}$/.test(id)) {
        warnings.push(`context_from '${id}' is not a job id; dropped`);
        return false;
      }
      if (!ids.has(id))
        warnings.push(`context_from '${id}' is not in this store: its output is read only if runs of hermes-${id} exist`);
      return true;
    });
    agent = { ...model.settings, contextFrom: contextFrom.map((id) => `hermes-${id}`) };
  } else {
    for (const field of ['model', 'provider', 'base_url', 'context_from'] as const)
      if (job[field]) warnings.push(`${field} is unused: no_agent runs no agent`);
  }

  const delivery = translateDelivery(job.deliver, job.origin);
  warnings.push(...delivery.warnings);

  // Fields with no counterpart: kept in the memo, and said.
  if (skills.length > 0)
    warnings.push(`skills (${skills.join(', ')}) have no Switchyard counterpart: kept in the memo, not loaded`);
  if (job.enabled_toolsets?.length)
    warnings.push(
      `enabled_toolsets (${job.enabled_toolsets.join(', ')}) have no counterpart: the agent runs no tools; kept in the memo`,
    );
  if (job.provider_snapshot || job.model_snapshot)
    warnings.push(
      "provider_snapshot/model_snapshot (the drift guard) are not enforced: the worker's settings apply at fire time; kept in the memo",
    );
  if (job.attach_to_session)
    warnings.push('attach_to_session has no counterpart: deliveries cannot be replied to; kept in the memo');
  if (sched.kind === 'interval')
    warnings.push(
      `schedule every ${sched.minutes}m: Switchyard counts intervals from a fixed phase, the tick from the last completion`,
    );
  for (const field of Object.keys(job))
    if (!KNOWN_JOB_FIELDS.has(field)) warnings.push(`field ${field} is not part of the baseline store; ignored`);

  const plan: GraphPlan = {
    name,
    noAgent: job.no_agent === true,
    ...(script ? { script } : {}),
    ...(agent ? { agent } : {}),
    targets: delivery.targets,
  };
  const input: GraphInput = {
    name: job.name ?? (prompt.slice(0, 50) || skills[0] || job.script || job.id),
    prompt,
    script: scriptPath,
  };
  const definition = hermesDefinition(plan, input);
  const valid = validateDefinition(definition);
  if (!valid.ok)
    return { problem: { field: '(generated graph)', message: valid.problems.map((p) => `${p.path}: ${p.message}`).join('; ') } };

  const memo = {
    hermes: dropEmpty({
      id: job.id,
      name: job.name,
      skills: skills.length > 0 ? skills : undefined,
      enabled_toolsets: job.enabled_toolsets,
      provider_snapshot: job.provider_snapshot,
      model_snapshot: job.model_snapshot,
      attach_to_session: job.attach_to_session,
      workdir: job.workdir,
      origin: job.origin,
      deliver: job.deliver,
      schedule_display: job.schedule_display ?? job.schedule.display,
      created_at: job.created_at,
      last_run_at: job.last_run_at,
      last_status: job.last_status,
      last_error: job.last_error,
      last_delivery_error: job.last_delivery_error,
    }),
  };
  return {
    request: {
      id: name,
      definition: valid.definition,
      input: { ...input },
      options: schedule,
      memo,
      managedBy: 'hermes-import',
      ...(options.source ? { source: `${options.source}#${job.id}` } : {}),
    },
    warnings,
  };
}

/** Warns when the stored times' offset is not the zone's: the cron would fire at other hours. */
function offsetWarnings(job: HermesJob, timezone: string): string[] {
  const stamp = job.next_run_at ?? job.last_run_at ?? job.created_at;
  const match = stamp ? /([+-])(\d\d):?(\d\d)$/.exec(stamp) : null;
  if (!stamp || !match) return [];
  const stored = (match[1] === '-' ? -1 : 1) * (Number(match[2]) * 60 + Number(match[3]));
  const zone = zoneOffsetMinutes(timezone, new Date(stamp));
  if (zone === undefined || zone === stored) return [];
  return [
    `schedule: its times carry offset ${match[0]}, but --timezone ${timezone} is ${formatOffset(zone)} then: the cron would fire at other hours; pass the tick's timezone`,
  ];
}

function zoneOffsetMinutes(timezone: string, at: Date): number | undefined {
  try {
    const name = new Intl.DateTimeFormat('en-US', { timeZone: timezone, timeZoneName: 'longOffset' })
      .formatToParts(at)
      .find((p) => p.type === 'timeZoneName')?.value;
    const m = /GMT([+-])(\d\d):(\d\d)/.exec(name ?? '');
    return m ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) : 0;
  } catch {
    return undefined;
  }
}

function formatOffset(minutes: number): string {
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  return `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

function dropEmpty(record: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).filter(([, v]) => v !== undefined && v !== null));
}
