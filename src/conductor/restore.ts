/**
 * Reading a conductor state back from JSON (continue-as-new input, test round trips).
 * The state is our own output, so a shape check of its top level is enough to catch a
 * wrong value passed by hand (e.g. `resume` from another version) with a clear message.
 */
import type { ConductorState } from './state.js';

const RECORD_FIELDS = ['definition', 'graph', 'input', 'workflow', 'ctx', 'results', 'iterations', 'barriers', 'rounds', 'tasks'] as const;
const LIST_FIELDS = ['runs', 'executions', 'timers', 'receipts'] as const;
const PHASES = new Set(['running', 'draining', 'failing', 'completed', 'failed', 'continued']);

/** Checks that `value` has the shape of a {@link ConductorState}; throws a plain Error saying what is off. */
export function readState(value: unknown): ConductorState {
  if (!isState(value)) throw new Error(`not a Switchyard conductor state (format 1): ${describeProblem(value)}`);
  return value;
}

function isState(value: unknown): value is ConductorState {
  return describeProblem(value) === undefined;
}

function describeProblem(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return 'not an object';
  const fields: Record<string, unknown> = { ...value };
  if (fields.format !== 1) return `format is ${JSON.stringify(fields.format)}, expected 1`;
  for (const name of RECORD_FIELDS) {
    const field = fields[name];
    if (typeof field !== 'object' || field === null || Array.isArray(field)) return `${name} is not an object`;
  }
  for (const name of LIST_FIELDS) if (!Array.isArray(fields[name])) return `${name} is not a list`;
  if (typeof fields.phase !== 'string' || !PHASES.has(fields.phase)) return `phase ${JSON.stringify(fields.phase)} is unknown`;
  for (const name of ['counter', 'receiptsDropped', 'generation'] as const) {
    if (typeof fields[name] !== 'number') return `${name} is not a number`;
  }
  if (typeof fields.paused !== 'boolean') return 'paused is not a boolean';
  return undefined;
}
