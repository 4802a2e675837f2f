/**
 * The fixed words and shapes of the definition language (SPEC §3) as plain values: names,
 * actions, keywords, defaults. Free of zod on purpose: the interpreter workflow reads these
 * on every run, and a workflow re-evaluates its modules for each run, so nothing here may
 * cost more than a constant. schema.ts builds the zod schemas from them.
 */

/** Task names double as JSONata path steps (`results.fetch`), so they are identifiers. */
export const TASK_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** A definition's `name`: shown in search attributes and the CLI. */
export const DEFINITION_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
/** What {@link DEFINITION_NAME_PATTERN} allows, as a problem message says it. */
export const DEFINITION_NAME_RULE = 'letters, digits, _ . - only';

/**
 * Names a task may not take. `fail` is the built-in target of `do:` that fails the run on
 * purpose; the others are kept for future built-ins (Orquesta uses them) so that adding
 * one never changes the meaning of an existing definition.
 */
export const RESERVED_TASK_NAMES = ['fail', 'succeed', 'noop', 'continue', 'retry', 'pause'] as const;

/** The words `when` may be instead of an expression (SPEC §3 rule 2). */
export const WHEN_KEYWORDS = ['succeeded', 'failed', 'completed'] as const;
export type WhenKeyword = (typeof WHEN_KEYWORDS)[number];

/**
 * Kinds of action a task may run: the activities, `noop` for pure routing/join tasks,
 * `wait`, which waits inside the workflow for a named event (SPEC §3 rule 17), and `graph`,
 * which runs another definition as a child workflow (rule 19).
 */
export const ACTIONS = ['script', 'agent', 'deliver', 'http', 'noop', 'wait', 'graph'] as const;
export type Action = (typeof ACTIONS)[number];

/**
 * An event name of `action: wait`: it names the run's Temporal Update, so it is an
 * identifier (the CLI and `temporal workflow update execute --name` take it as written).
 */
export const EVENT_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/**
 * Names an event may not take: the run's own signals, queries and updates answer to them
 * (pause/resume, the `state` and `carried` queries), or may in a later release.
 */
export const RESERVED_EVENT_NAMES = ['pause', 'resume', 'state', 'carried', 'cancel', 'drain', 'send', 'terminate'] as const;

/** `join: first`: the first arriving source fires the task and the other source branches are cancelled (rule 18). */
export const RACE_JOIN = 'first';

/** What to do when a task fails and no transition takes the failure (SPEC §3 rule 5). */
export const FAILURE_MODES = ['fail_fast', 'drain'] as const;
export type FailureMode = (typeof FAILURE_MODES)[number];

/**
 * Overlap policies of a `schedule:` block (client-side metadata the interpreter ignores);
 * each maps to Temporal's ScheduleOverlapPolicy of the same name (src/schedules/spec.ts).
 */
export const OVERLAP_NAMES = ['skip', 'buffer-one', 'buffer-all', 'cancel-other', 'terminate-other', 'allow-all'] as const;
export type OverlapName = (typeof OVERLAP_NAMES)[number];

/** Defaults that apply when a definition says nothing. Documented in README and JSON Schema. */
export const DEFAULTS = {
  maxIterations: 100,
  retry: { maximum_attempts: 3, initial_interval: '1s', backoff: 2 },
  timeout: '10m',
  /** Every activity beats at least every 5 s, so 30 s of silence means its worker is gone. */
  heartbeat: '30s',
  failureMode: 'fail_fast' as FailureMode,
} as const;

/**
 * Splits a deliver `to` text into targets: at commas followed by something shaped like
 * `kind:`, so a webhook URL may contain commas.
 */
export const TARGET_SPLIT = /,\s*(?=[a-z][\w-]*:)/i;
