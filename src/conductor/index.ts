/**
 * The pure conductor: `state + event → state + commands`. No Temporal imports; the state is
 * plain JSON. See ARCHITECTURE.md for its invariants.
 */
export { startRun, step } from './conductor.js';
export { viewOf, type StateView, type RunningView, type BarrierView } from './view.js';
export { readState } from './restore.js';
export { RUN_TIMEOUT_TIMER } from './guards.js';
export type * from './events.js';
export type * from './state.js';
