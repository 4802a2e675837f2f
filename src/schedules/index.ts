/**
 * Switchyard's schedules over Temporal Schedules (`client.schedule`), the module the CLI's
 * `schedule …` commands and `schedule import` build on:
 *
 * - options.ts — {@link ScheduleOptions} (cron | every | at, timezone, overlap, catchup,
 *   jitter, runs, paused, note) and {@link validateScheduleOptions}: every problem, each
 *   naming its field, before any RPC;
 * - spec.ts — a {@link ScheduleRequest} (id, validated definition, input, options) as a
 *   Temporal schedule whose action starts the interpreter exactly as `run` does, with a digest
 *   of the desired state in the action memo;
 * - store.ts — {@link planSchedules} (create / update / unchanged, with reasons),
 *   {@link applySchedules}, {@link findOrphans};
 * - files.ts — requests from definition files' `schedule:` blocks, all checked first.
 */
export * from './options.js';
export * from './spec.js';
export * from './store.js';
export * from './files.js';
export { cronProblem } from './cron.js';
