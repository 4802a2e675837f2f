/**
 * The definition language, public surface: the workflow-safe core (core.ts) plus the zod
 * schema, full validation, YAML loading and diagrams, which only the client and tools use.
 */
export * from './core.js';
export * from './schema.js';
export { MAX_TASKS, validateDefinition } from './validate.js';
export {
  loadDefinitionText,
  parseDefinitionText,
  MAX_DEPTH,
  type GraphFinder,
  type GraphReader,
  type LoadOptions,
} from './load.js';
export { drawGraph, type DiagramFormat } from './diagram.js';
