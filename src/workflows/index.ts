/**
 * Every workflow the Switchyard worker registers (the bundle entry point): the interpreter,
 * and the hand-written baselines used to measure its overhead.
 */
export {
  interpretGraph,
  pauseSignal,
  resumeSignal,
  pauseUpdate,
  resumeUpdate,
  type PauseAnswer,
  stateQuery,
  carriedQuery,
  GRAPH_ATTRIBUTE,
  DEFAULT_CONTINUE_AS_NEW_AFTER_EVENTS,
  type InterpretInput,
  type InterpretResult,
} from './interpreter.js';
export { baselineChain, baselineFanOut, baselineLoop } from './baselines.js';
export type { FailureReport } from './failures.js';
