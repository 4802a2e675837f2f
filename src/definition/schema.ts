/**
 * The Switchyard definition language (SPEC §3) as zod schemas, each exported beside its
 * inferred type. The client validates with them; the interpreter workflow does not import
 * them (it checks what it receives with structure.ts, which has no zod).
 *
 * Shape checks live here; cross-field and graph checks (unknown task names, reachability,
 * joins, expressions, durations) live in checks.ts so that every problem is reported at once.
 */
import { z } from 'zod';
import {
  ACTIONS,
  DEFINITION_NAME_PATTERN,
  DEFINITION_NAME_RULE,
  FAILURE_MODES,
  OVERLAP_NAMES,
  RESERVED_TASK_NAMES,
  TASK_NAME_PATTERN,
} from './language.js';

export {
  ACTIONS,
  DEFAULTS,
  DEFINITION_NAME_PATTERN,
  DEFINITION_NAME_RULE,
  FAILURE_MODES,
  OVERLAP_NAMES,
  RESERVED_TASK_NAMES,
  TASK_NAME_PATTERN,
  WHEN_KEYWORDS,
  type Action,
  type FailureMode,
  type OverlapName,
  type WhenKeyword,
} from './language.js';

/** A duration written with units: `250ms`, `5s`, `2m`, `1h30m`, `1d`. Parsed by duration.ts. */
export const DurationSchema = z
  .string()
  .describe('A duration with units, e.g. 250ms, 5s, 2m, 1h30m, 1d. A bare number is refused: write its unit.')
  // Editor hint only: duration.ts does the real parsing, with better messages than a regex.
  .meta({ pattern: '^\\s*(\\d+(\\.\\d+)?(d|h|ms|m|s))+\\s*$', examples: ['250ms', '5s', '2m', '1h30m', '1d'] });
export type Duration = z.infer<typeof DurationSchema>;

export const ActionSchema = z.enum(ACTIONS);

/** A task name, or a list of them. `do: send` is short for `do: [send]`. */
const TaskListSchema = z.union([z.string(), z.array(z.string())]);

/** One edge group of the graph: if `when` holds, `publish` then schedule every task in `do`. */
export const TransitionSchema = z
  .object({
    when: z.string().optional().describe('succeeded (default), failed, completed, or a JSONata expression that must be true'),
    publish: z.record(z.string(), z.unknown()).optional().describe('ctx variables to assign, in order; values may be templates'),
    do: TaskListSchema.optional().describe(
      'tasks to schedule; `fail` fails the run on purpose once the other targets have run; `noop` (alone) ends the branch',
    ),
  })
  .strict();
export type Transition = z.infer<typeof TransitionSchema>;

/** Maps to a Temporal RetryPolicy (SPEC §3 rule 10). */
export const RetrySchema = z
  .object({
    maximum_attempts: z.number().int().min(0).optional().describe('0 means unlimited; default 3'),
    initial_interval: DurationSchema.optional().describe('default 1s'),
    backoff: z.number().min(1).optional().describe('backoff coefficient; default 2'),
    maximum_interval: DurationSchema.optional().describe('default 100 × initial_interval'),
    non_retryable_errors: z.array(z.string()).optional().describe('error types never retried'),
  })
  .strict();
export type Retry = z.infer<typeof RetrySchema>;

/** A node of the graph. */
export const TaskSchema = z
  .object({
    action: ActionSchema.describe(
      'script, agent, deliver or http runs an activity; noop only routes (e.g. a join); wait waits for an event sent to the run; graph runs another definition (with.file or with.name) as a child workflow',
    ),
    description: z.string().optional().describe('free text for readers and diagrams'),
    with: z.record(z.string(), z.unknown()).optional().describe('the action input; values may be templates'),
    next: z.array(TransitionSchema).optional().describe('read in order; the first transition whose when holds is taken'),
    join: z
      .union([z.literal('all'), z.literal('first'), z.number().int().positive()])
      .optional()
      .describe(
        'barrier: wait for all inbound tasks, or for N distinct ones; first: a race, the first source fires and the other source branches are cancelled',
      ),
    items: z.string().optional().describe('fan-out: an expression yielding a list; the action runs once per item'),
    concurrency: z.number().int().positive().optional().describe('fan-out: at most N items at a time'),
    delay: DurationSchema.optional().describe('durable timer before the task starts'),
    retry: RetrySchema.optional(),
    timeout: DurationSchema.optional().describe(
      'per attempt (start-to-close); for wait: how long to wait for the event (none: no limit but the run timeout)',
    ),
    heartbeat: DurationSchema.optional().describe(
      'heartbeat timeout (default 30s): a silent worker loses the task to another after this',
    ),
    max_iterations: z.number().int().positive().optional().describe('cycle guard for this task'),
  })
  .strict();
export type Task = z.infer<typeof TaskSchema>;

/** What to do when a task fails and no transition takes the failure (SPEC §3 rule 5). */
export const FailureModeSchema = z.enum(FAILURE_MODES);

/** A delivery sent when the run fails for good (the dead-letter notification of SPEC §5). */
export const FailureNotifySchema = z
  .object({
    to: z.string(),
    content: z.string().optional(),
  })
  .strict();

/** `on_failure: drain`, or `on_failure: { mode: drain, notify: { to: "telegram:1" } }`. */
export const OnFailureSchema = z.union([
  FailureModeSchema,
  z
    .object({
      mode: FailureModeSchema.optional(),
      notify: FailureNotifySchema.optional(),
    })
    .strict(),
]);
export type OnFailure = z.infer<typeof OnFailureSchema>;

/**
 * When the definition runs on its own: a Temporal Schedule that `switchyard schedule apply`
 * creates or updates. Client-side metadata: the interpreter carries it and never reads it.
 * Checked beyond its shape (cron syntax, time zone, durations) by src/schedules/options.ts.
 */
export const ScheduleBlockSchema = z
  .object({
    id: z
      .string()
      .regex(DEFINITION_NAME_PATTERN, DEFINITION_NAME_RULE)
      .optional()
      .describe("schedule id, also the prefix of its runs' workflow ids; default the definition's name"),
    cron: z
      .union([z.string(), z.array(z.string())])
      .optional()
      .describe('cron expression(s), 5–7 fields or @daily, @hourly, @every 15m …; one of cron, every, at'),
    every: DurationSchema.optional().describe('fire at this interval (whole seconds, at least 1s)'),
    at: z
      .string()
      .optional()
      .describe('fire once at this ISO 8601 instant (with Z or an offset, or a wall-clock time and timezone)'),
    timezone: z.string().optional().describe('IANA time zone for cron and a wall-clock at; default UTC'),
    overlap: z.enum(OVERLAP_NAMES).optional().describe('what a fire does while the last run still runs; default skip'),
    catchup: DurationSchema.optional().describe('fires missed during an outage are still taken within this window; default 1h'),
    jitter: DurationSchema.optional().describe('delay each fire by a random amount up to this'),
    runs: z.number().int().positive().optional().describe('fire at most this many times'),
    paused: z.boolean().optional().describe('create the schedule paused'),
    note: z.string().optional().describe('a note shown with the schedule, e.g. why it is paused'),
    input: z
      .record(z.string(), z.unknown())
      .optional()
      .describe("run input of every fired run; only keys the definition's input declares"),
  })
  .strict();
export type ScheduleBlock = z.infer<typeof ScheduleBlockSchema>;

/** A whole definition file. */
export const DefinitionSchema = z
  .object({
    version: z.literal(1).describe('language version; always 1'),
    name: z
      .string()
      .regex(DEFINITION_NAME_PATTERN, DEFINITION_NAME_RULE)
      .describe('graph name; shown in search attributes and the CLI'),
    description: z.string().optional().describe('free text for readers'),
    input: z.record(z.string(), z.unknown()).optional().describe('defaults; a run input overrides them'),
    input_schema: z
      .record(z.string(), z.unknown())
      .optional()
      .describe('the input’s type: a JSON Schema subset every run’s input is checked against (SPEC rule 20)'),
    vars: z.record(z.string(), z.unknown()).optional().describe('initial ctx'),
    start: z.array(z.string()).optional().describe('entry points; needed when every task sits on a cycle'),
    timeout: DurationSchema.optional().describe('whole-run guard'),
    max_iterations: z.number().int().positive().optional().describe('default per-task cycle guard (100)'),
    on_failure: OnFailureSchema.optional(),
    tasks: z
      .record(z.string(), TaskSchema)
      .describe('the nodes of the graph, by name; names are identifiers: letters, digits and _')
      // Editor hint only: checks.ts reports bad names with a path, so zod keeps accepting any key.
      .meta({ propertyNames: { pattern: TASK_NAME_PATTERN.source, not: { enum: [...RESERVED_TASK_NAMES] } } }),
    output: z.unknown().optional().describe('rendered over the final context'),
    graphs: z
      .record(z.string(), z.unknown())
      .optional()
      .describe(
        'the definitions action: graph tasks run, by the with.file they name; filled in when the definition is loaded from its file (do not write it)',
      ),
    schedule: ScheduleBlockSchema.optional().describe('when it runs on its own (`switchyard schedule apply`)'),
  })
  .strict();
export type Definition = z.infer<typeof DefinitionSchema>;
