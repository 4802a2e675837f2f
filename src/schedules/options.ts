/**
 * What a Switchyard schedule is made of, in the words a person writes (the flags of
 * `switchyard schedule create` and a definition's `schedule:` block alike), and the one
 * check of them: every problem at once, each naming its field, before any RPC. Pure: the
 * definition's validation (src/definition/validate.ts) runs it on `schedule:`.
 *
 * spec.ts turns checked options into Temporal's schedule spec, policies and state.
 */
import { parseDuration } from '../definition/duration.js';
import { OVERLAP_NAMES, type OverlapName } from '../definition/language.js';
import { joinPath } from '../definition/paths.js';
import type { Problem } from '../definition/problems.js';
import { didYouMean } from '../definition/suggest.js';
import { cronProblem } from './cron.js';

export { OVERLAP_NAMES, type OverlapName };

/** Defaults, documented in the README: overlap `skip`; missed fires are caught up within 1h. */
export const SCHEDULE_DEFAULTS = { overlap: 'skip', catchup: '1h' } as const satisfies {
  overlap: OverlapName;
  catchup: string;
};

/** Temporal refuses a catch-up window under 10 s. */
const MIN_CATCHUP_MS = 10_000;
/** Temporal's intervals are whole seconds. */
const MIN_INTERVAL_MS = 1_000;

/** When and how a schedule fires. Exactly one of `cron`, `every`, `at`. */
export interface ScheduleOptions {
  /** Cron expressions (Temporal's 5–7 field syntax); fires at the union of them. */
  cron?: string[];
  /** An interval, e.g. `15m`. */
  every?: string;
  /** One instant (ISO 8601): a one-shot schedule. */
  at?: string;
  /** IANA time zone for `cron` and a wall-clock `at`; default UTC. */
  timezone?: string;
  overlap?: OverlapName;
  /** Catch-up window after an outage; default {@link SCHEDULE_DEFAULTS}.catchup. */
  catchup?: string;
  /** Each fire is delayed by a random amount up to this. */
  jitter?: string;
  /** Fire at most this many times. */
  runs?: number;
  /** Created paused. */
  paused?: boolean;
  /** Why it is paused (or any note); shown by `describe`. */
  note?: string;
}

/** The option names, for "did you mean" and the schema test. */
export const SCHEDULE_OPTION_KEYS = [
  'cron',
  'every',
  'at',
  'timezone',
  'overlap',
  'catchup',
  'jitter',
  'runs',
  'paused',
  'note',
] as const satisfies readonly (keyof ScheduleOptions)[];

/** How a problem names a field: `schedule.cron` in a file, `--cron` on the command line. */
export type FieldLabel = (field: keyof ScheduleOptions) => string;

/** Labels under a path: `schedule` gives `schedule.cron`. */
export function underPath(path: string): FieldLabel {
  return (field) => joinPath(path, field);
}

/** Options for {@link validateScheduleOptions}. */
export interface ValidateOptions {
  /** How to name a field; default the bare field name. */
  label?: FieldLabel;
  /**
   * The present: when given, an `at` before it is a problem. Left out by the definition's
   * validation, which must not depend on the clock; given by create and apply.
   */
  now?: number;
  /** Options that change a schedule that exists: none of cron, every, at is fine (it keeps its own). */
  partial?: boolean;
}

/** Every problem with `options`, each naming its field. */
export function validateScheduleOptions(options: ScheduleOptions, settings: ValidateOptions = {}): Problem[] {
  const label = settings.label ?? ((field) => field);
  const problems: Problem[] = [];
  const problem = (field: keyof ScheduleOptions, message: string): void => {
    problems.push({ path: label(field), message });
  };

  const kinds = (['cron', 'every', 'at'] as const).filter((kind) => options[kind] !== undefined);
  if (kinds.length === 0 && settings.partial !== true)
    problem('cron', 'missing: say when it fires, with one of cron, every or at');
  if (kinds.length > 1) problem(kinds[1] ?? 'cron', `give one of cron, every or at, not ${kinds.join(' and ')}`);

  if (options.cron !== undefined) {
    if (options.cron.length === 0) problem('cron', 'empty: give at least one cron expression');
    for (const expression of options.cron) {
      const why = cronProblem(expression);
      if (why !== undefined) problem('cron', why);
    }
  }
  if (options.every !== undefined) {
    const ms = duration(options.every, (message) => problem('every', message));
    if (ms !== undefined && ms < MIN_INTERVAL_MS) problem('every', `'${options.every}': an interval must be at least 1s`);
    else if (ms !== undefined && ms % 1_000 !== 0) problem('every', `'${options.every}': an interval is whole seconds`);
  }
  if (options.timezone !== undefined) {
    const why = timezoneProblem(options.timezone);
    if (why !== undefined) problem('timezone', why);
  }
  if (options.at !== undefined) {
    const why = atProblem(options.at, options.timezone, settings.now);
    if (why !== undefined) problem('at', why);
    if (options.runs !== undefined && options.runs !== 1) problem('runs', 'a schedule with at fires once: leave runs out');
  }
  if (options.overlap !== undefined && !OVERLAP_NAMES.includes(options.overlap)) {
    problem(
      'overlap',
      `'${String(options.overlap)}': one of ${OVERLAP_NAMES.join(', ')}${didYouMean(options.overlap, OVERLAP_NAMES)}`,
    );
  }
  if (options.catchup !== undefined) {
    const ms = duration(options.catchup, (message) => problem('catchup', message));
    if (ms !== undefined && ms < MIN_CATCHUP_MS) problem('catchup', `'${options.catchup}': Temporal needs at least 10s`);
  }
  if (options.jitter !== undefined) duration(options.jitter, (message) => problem('jitter', message));
  if (options.runs !== undefined && !(Number.isInteger(options.runs) && options.runs >= 1)) {
    problem('runs', `'${String(options.runs)}': a whole number of at least 1 (leave it out for no limit)`);
  }
  return problems;
}

/** A duration's milliseconds, or undefined after reporting why it does not parse. */
function duration(text: string, report: (message: string) => void): number | undefined {
  try {
    return parseDuration(text);
  } catch (err) {
    report(err instanceof Error ? err.message : String(err));
    return undefined;
  }
}

/** Why `zone` is not an IANA time zone name, or undefined. */
export function timezoneProblem(zone: string): string | undefined {
  const known = Intl.supportedValuesOf('timeZone');
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
  } catch {
    const hint = didYouMean(zone, known);
    return `unknown time zone '${zone}'${hint === '' ? ' (use an IANA name such as Europe/Berlin or UTC)' : hint}`;
  }
  // Intl ignores case; Temporal's server does not.
  const spelled = known.find((name) => name.toLowerCase() === zone.toLowerCase());
  if (spelled !== undefined && spelled !== zone) return `write the time zone as '${spelled}'`;
  return undefined;
}

/** An ISO 8601 date-time with a zone (`Z` or `+01:00`), or a wall-clock one read in `timezone`. */
const AT_PATTERN = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?(Z|[+-]\d{2}:?\d{2})?$/i;

/** The parts of an `at` instant: the wall-clock fields, and whether it named its own zone. */
export interface AtParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  /** False for a wall-clock time, which is read in the schedule's time zone. */
  zoned: boolean;
}

/** Reads `at`: a zoned instant becomes UTC fields; a wall-clock one stays as written. */
export function atParts(at: string): AtParts | undefined {
  const match = AT_PATTERN.exec(at.trim());
  if (match === null) return undefined;
  const zone = match[7];
  if (zone === undefined) {
    const [year, month, day, hour, minute, second] = match.slice(1, 7).map((part) => Number(part ?? 0));
    return {
      year: year ?? 0,
      month: month ?? 0,
      day: day ?? 0,
      hour: hour ?? 0,
      minute: minute ?? 0,
      second: second ?? 0,
      zoned: false,
    };
  }
  const ms = Date.parse(at.trim().replace(' ', 'T'));
  if (Number.isNaN(ms)) return undefined;
  const utc = new Date(ms);
  return {
    year: utc.getUTCFullYear(),
    month: utc.getUTCMonth() + 1,
    day: utc.getUTCDate(),
    hour: utc.getUTCHours(),
    minute: utc.getUTCMinutes(),
    second: utc.getUTCSeconds(),
    zoned: true,
  };
}

function atProblem(at: string, timezone: string | undefined, now: number | undefined): string | undefined {
  const parts = atParts(at);
  if (parts === undefined) return `'${at}': not an ISO 8601 date-time (e.g. 2026-12-01T07:00:00Z)`;
  if (!parts.zoned && timezone === undefined) {
    return `'${at}' names no time zone: end it with Z or an offset (+01:00), or give timezone`;
  }
  if (parts.zoned && timezone !== undefined) return `'${at}' names its own offset: leave timezone out, or drop the offset`;
  const check = new Date(Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute, parts.second));
  if (check.getUTCMonth() !== parts.month - 1 || check.getUTCDate() !== parts.day || parts.hour > 23 || parts.minute > 59) {
    return `'${at}': no such date-time`;
  }
  // A zoned instant in the past would never fire; a wall-clock one is checked within a day's slack.
  const slack = parts.zoned ? 0 : 86_400_000;
  if (now !== undefined && check.getTime() + slack <= now) return `'${at}' is in the past`;
  return undefined;
}

/**
 * The options a definition's `schedule:` block holds (`cron` may be one string). Lenient:
 * a field of the wrong type is left out (the schema has reported it), so that the checks
 * above still run on the rest.
 */
export function optionsFromBlock(block: Readonly<Record<string, unknown>>): ScheduleOptions {
  const text = (key: string): string | undefined => (typeof block[key] === 'string' ? block[key] : undefined);
  const { cron, runs, paused, overlap } = block;
  const options: ScheduleOptions = {
    cron: typeof cron === 'string' ? [cron] : Array.isArray(cron) ? cron.filter((item) => typeof item === 'string') : undefined,
    every: text('every'),
    at: text('at'),
    timezone: text('timezone'),
    overlap: OVERLAP_NAMES.find((name) => name === overlap),
    catchup: text('catchup'),
    jitter: text('jitter'),
    runs: typeof runs === 'number' ? runs : undefined,
    paused: typeof paused === 'boolean' ? paused : undefined,
    note: text('note'),
  };
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined));
}
