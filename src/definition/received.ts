/**
 * The interpreter's check of the definition it was handed (SPEC §3 rule 12: the definition
 * travels as workflow input, so a run started by hand or by another tool may carry anything).
 * Zod-free, like everything the workflow imports: the shape of every field the interpreter
 * reads (structure.ts), then the static checks the client's validation runs too.
 */
import { staticChecks } from './checks.js';
import { buildGraph, type Graph } from './graph.js';
import { orderProblems, type Problem } from './problems.js';
import type { Definition, Task } from './schema.js';
import { readStructure, type LooseDefinition } from './structure.js';

/** A definition that passed validation, with its graph. */
export interface ValidDefinition {
  definition: Definition;
  graph: Graph;
}

/** Either a valid definition and its graph, or every problem found. `source` names the file when known. */
export type ValidationResult = ({ ok: true } & ValidDefinition) | { ok: false; problems: Problem[]; source?: string };

/** Checks a definition the interpreter received; every problem at once. */
export function checkReceived(value: unknown): ValidationResult {
  const { definition: loose, problems } = readStructure(value);
  const built: { graph?: Graph } = {};
  problems.push(...staticChecks(loose, built));
  const definition = problems.length === 0 ? complete(loose) : undefined;
  if (definition === undefined) return { ok: false, problems: orderProblems(problems) };
  // The checks' graph is the definition's: the same tasks, transitions, joins and start.
  return { ok: true, definition, graph: built.graph ?? buildGraph(definition) };
}

/** The definition, once every required field has been read; undefined while one is missing. */
function complete(loose: LooseDefinition): Definition | undefined {
  const { version, name, tasks, on_failure: onFailure } = loose;
  // Client-side metadata the interpreter never reads; carried so the run's input stays whole.
  const schedule = loose.schedule as Definition['schedule'];
  if (version !== 1 || name === undefined || tasks === undefined) return undefined;
  const complete: Record<string, Task> = {};
  for (const [taskName, task] of Object.entries(tasks)) {
    if (task.action === undefined) return undefined;
    complete[taskName] = { ...task, action: task.action };
  }
  if (typeof onFailure !== 'object') return { ...loose, version, name, tasks: complete, on_failure: onFailure, schedule };
  const { notify } = onFailure;
  if (notify !== undefined && notify.to === undefined) return undefined;
  const to = notify?.to;
  return {
    ...loose,
    version,
    name,
    tasks: complete,
    schedule,
    on_failure: { mode: onFailure.mode, notify: to === undefined ? undefined : { to, content: notify?.content } },
  };
}
