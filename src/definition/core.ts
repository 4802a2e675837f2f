/**
 * The part of the definition language the interpreter runs on: the fixed words, expressions
 * and templates, durations, paths, the graph, problems and the check of a received
 * definition. Workflow-safe and free of zod and yaml: a workflow re-evaluates every module
 * it imports on each run, so src/workflows and src/conductor import this module, never
 * index.ts (ESLint enforces it, and the replay tier checks the bundle).
 */
export * from './language.js';
export * from './expressions.js';
export { parseDuration, formatDuration } from './duration.js';
export { formatPath, joinPath, parsePath, type PathSegment } from './paths.js';
export {
  buildGraph,
  doList,
  FAIL_TARGET,
  isBuiltinTarget,
  isReservedTaskName,
  NOOP_TARGET,
  subgraphKey,
  reachableFrom,
  taskPath,
  type Edge,
  type Graph,
  type GraphSource,
} from './graph.js';
export { DefinitionError, formatProblems, type Problem } from './problems.js';
export { checkReceived, type ValidationResult, type ValidDefinition } from './received.js';
export { keepLiterals, splitTargets } from './trust.js';
export { runInputProblems } from './input-schema.js';
export { payloadErrors } from './payload-schema.js';
export type { Definition, Task, Transition, Retry, OnFailure, Duration } from './schema.js';
