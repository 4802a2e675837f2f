/**
 * A schedule request, checked, as Temporal's Schedule: the options (options.ts) become the
 * spec, policies and state; the definition becomes a start-workflow action built exactly as
 * `switchyard run` builds a run (src/cli/runs.ts `runStart`), tagged `SwitchyardJob` = the
 * schedule id. The action's memo carries a digest of the desired state, so that `apply` can
 * tell an unchanged schedule from a changed one (a schedule's own memo cannot be updated).
 */
import { createHash } from 'node:crypto';
import {
  ScheduleOverlapPolicy,
  type CalendarSpec,
  type ScheduleOptions as TemporalScheduleOptions,
  type ScheduleSpec,
} from '@temporalio/client';
import { TASK_QUEUE } from '../constants.js';
import type { Definition } from '../definition/index.js';
import { parseDuration } from '../definition/duration.js';
import { canonicalJson } from '../activities/common/canonical.js';
import { runStart } from '../cli/runs.js';
import { interpretGraph } from '../workflows/index.js';
import { atParts, SCHEDULE_DEFAULTS, type OverlapName, type ScheduleOptions } from './options.js';

/** One schedule Switchyard should have: what runs, with which input, when. */
export interface ScheduleRequest {
  /** Schedule id; also the prefix of its runs' workflow ids and their `SwitchyardJob`. */
  id: string;
  /** The validated definition, carried as workflow input exactly as `run` carries it. */
  definition: Definition;
  /** Run input of every fired run (checked against the definition's `input:`). */
  input: Record<string, unknown>;
  options: ScheduleOptions;
  /** Extra memo entries for the fired runs (e.g. where an imported job came from). */
  memo?: Record<string, unknown>;
  /** The definition's file, absolute; `apply --prune` deletes a managed schedule whose file is gone. */
  source?: string;
  /** Task queue of the fired runs; default Switchyard's one. */
  taskQueue?: string;
  /** Who manages it: `apply` for schedules synced from files (only those are pruned); default `cli`. */
  managedBy?: string;
}

/** Memo keys on the schedule's action (and so on every fired run). */
export const MEMO = {
  managedBy: 'switchyard.managedBy',
  source: 'switchyard.source',
  digest: 'switchyard.digest',
  /** The options as written, so that `describe` and `update` read them back. */
  options: 'switchyard.options',
} as const;

/** The parts of a schedule whose change `apply` reports: when, what, how and initial state. */
export type DigestPart = 'spec' | 'action' | 'policies' | 'state';

/** A digest per part of the desired schedule. */
export type ScheduleDigest = Record<DigestPart, string>;

const OVERLAP: Record<OverlapName, ScheduleOverlapPolicy> = {
  skip: ScheduleOverlapPolicy.SKIP,
  'buffer-one': ScheduleOverlapPolicy.BUFFER_ONE,
  'buffer-all': ScheduleOverlapPolicy.BUFFER_ALL,
  'cancel-other': ScheduleOverlapPolicy.CANCEL_OTHER,
  'terminate-other': ScheduleOverlapPolicy.TERMINATE_OTHER,
  'allow-all': ScheduleOverlapPolicy.ALLOW_ALL,
};

/** Temporal's overlap policy for a name. */
export function overlapPolicy(name: OverlapName | undefined): ScheduleOverlapPolicy {
  return OVERLAP[name ?? SCHEDULE_DEFAULTS.overlap];
}

/** Temporal's spec for checked options: cron expressions, an interval, or one calendar instant. */
export function scheduleSpec(options: ScheduleOptions): ScheduleSpec {
  const spec: ScheduleSpec = {};
  if (options.cron !== undefined) spec.cronExpressions = [...options.cron];
  if (options.every !== undefined) spec.intervals = [{ every: parseDuration(options.every) }];
  if (options.at !== undefined) {
    const parts = atParts(options.at);
    if (parts === undefined) throw new Error(`at '${options.at}' was not checked`);
    const calendar: CalendarSpec = {
      year: parts.year,
      month: MONTHS[parts.month - 1],
      dayOfMonth: parts.day,
      hour: parts.hour,
      minute: parts.minute,
      second: parts.second,
      comment: `once, at ${options.at}`,
    };
    spec.calendars = [calendar];
    // A zoned instant was turned into UTC fields; a wall-clock one is read in its zone.
    if (parts.zoned) spec.timezone = 'UTC';
  }
  if (options.timezone !== undefined) spec.timezone = options.timezone;
  if (options.jitter !== undefined) spec.jitter = parseDuration(options.jitter);
  return spec;
}

const MONTHS = [
  'JANUARY',
  'FEBRUARY',
  'MARCH',
  'APRIL',
  'MAY',
  'JUNE',
  'JULY',
  'AUGUST',
  'SEPTEMBER',
  'OCTOBER',
  'NOVEMBER',
  'DECEMBER',
] as const;

/** How many times it may fire: `runs`, or exactly once for `at`. */
export function runsLimit(options: ScheduleOptions): number | undefined {
  return options.at !== undefined ? 1 : options.runs;
}

/** The desired state of each part, as plain values: what the digest is taken of. */
function desiredParts(request: ScheduleRequest): Record<DigestPart, unknown> {
  const { options } = request;
  // The definition's own schedule: block is what the other parts describe; count it there only.
  const { schedule: _block, ...definition } = request.definition;
  return {
    spec: { cron: options.cron, every: options.every, at: options.at, timezone: options.timezone, jitter: options.jitter },
    action: {
      definition,
      input: request.input,
      taskQueue: request.taskQueue ?? TASK_QUEUE,
      memo: request.memo ?? {},
    },
    policies: { overlap: options.overlap ?? SCHEDULE_DEFAULTS.overlap, catchup: options.catchup ?? SCHEDULE_DEFAULTS.catchup },
    state: { paused: options.paused ?? false, note: options.note, runs: runsLimit(options) },
  };
}

/** A short sha256 of each part of the desired schedule. */
export function scheduleDigest(request: ScheduleRequest): ScheduleDigest {
  const parts = desiredParts(request);
  const hash = (value: unknown): string => createHash('sha256').update(canonicalJson(value)).digest('hex').slice(0, 16);
  return { spec: hash(parts.spec), action: hash(parts.action), policies: hash(parts.policies), state: hash(parts.state) };
}

/** The whole Temporal schedule for a request (the options must have passed validateScheduleOptions). */
export function temporalSchedule(request: ScheduleRequest): TemporalScheduleOptions {
  const { options } = request;
  const limit = runsLimit(options);
  return {
    scheduleId: request.id,
    spec: scheduleSpec(options),
    action: {
      type: 'startWorkflow',
      workflowType: interpretGraph,
      taskQueue: request.taskQueue ?? TASK_QUEUE,
      // Temporal appends the fire time: `<id>-2026-11-23T07:00:00Z`.
      workflowId: request.id,
      ...runStart(request.definition, request.input, request.source, request.id, { kind: 'schedule', schedule: request.id }),
      memo: {
        ...request.memo,
        [MEMO.managedBy]: request.managedBy ?? 'cli',
        ...(request.source === undefined ? {} : { [MEMO.source]: request.source }),
        [MEMO.digest]: scheduleDigest(request),
        [MEMO.options]: options,
      },
    },
    policies: {
      overlap: overlapPolicy(options.overlap),
      catchupWindow: parseDuration(options.catchup ?? SCHEDULE_DEFAULTS.catchup),
    },
    state: {
      paused: options.paused ?? false,
      ...(options.note === undefined ? {} : { note: options.note }),
      ...(limit === undefined ? {} : { remainingActions: limit }),
    },
  };
}
