/** Validation of a definition value: the zod shape plus every static check, all problems at once. */
import { buildGraph, type Graph } from './graph.js';
import { staticChecks } from './checks.js';
import { LooseDefinitionSchema } from './loose.js';
import { DefinitionError, orderProblems, type Problem } from './problems.js';
import { DefinitionSchema, type Definition } from './schema.js';
import { isPlainObject } from './templates.js';
import { zodProblems } from './zod-problems.js';

/** A definition that passed validation, with its graph. */
export interface ValidDefinition {
  definition: Definition;
  graph: Graph;
}

/** Either a valid definition and its graph, or every problem found. `source` names the file when known. */
export type ValidationResult = ({ ok: true } & ValidDefinition) | { ok: false; problems: Problem[]; source?: string };

/**
 * Validates a parsed definition. Shape problems come from zod; the static checks then run on
 * whatever could be read, even where the shape is wrong, so that one pass reports everything.
 */
export function validateDefinition(value: unknown): ValidationResult {
  const strict = DefinitionSchema.safeParse(value);
  const problems = strict.success ? [] : zodProblems(strict.error.issues, value, DefinitionSchema);
  // Nothing to check structurally in a document that is not a mapping; zod has said so.
  if (isPlainObject(value)) problems.push(...staticChecks(LooseDefinitionSchema.parse(value)));
  if (strict.success && problems.length === 0) return { ok: true, definition: strict.data, graph: buildGraph(strict.data) };
  return { ok: false, problems: orderProblems(problems) };
}

/** Validates, or throws a {@link DefinitionError} listing every problem. */
export function requireValidDefinition(value: unknown, source?: string): ValidDefinition {
  const result = validateDefinition(value);
  if (!result.ok) throw new DefinitionError(result.problems, source);
  return { definition: result.definition, graph: result.graph };
}
