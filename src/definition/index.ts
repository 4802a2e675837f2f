/**
 * The definition language, public surface: schema, expressions, durations, graph, validation
 * and YAML loading. Pure and workflow-safe: the interpreter workflow imports this module.
 */
export * from './schema.js';
export * from './expressions.js';
export { parseDuration, formatDuration } from './duration.js';
export { formatPath, joinPath, parsePath, type PathSegment } from './paths.js';
export {
  buildGraph,
  doList,
  FAIL_TARGET,
  isReservedTaskName,
  reachableFrom,
  taskPath,
  type Edge,
  type Graph,
  type GraphSource,
} from './graph.js';
export { DefinitionError, formatProblems, type Problem } from './problems.js';
export { validateDefinition, requireValidDefinition, type ValidationResult, type ValidDefinition } from './validate.js';
export { loadDefinitionText, parseDefinitionText } from './load.js';
export { drawGraph, type DiagramFormat } from './diagram.js';
