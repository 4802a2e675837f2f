/**
 * The pure conductor: `step(context, state, event) → state + commands`. No Temporal imports;
 * the state is plain JSON. See ARCHITECTURE.md for its invariants and who owns what.
 */
export { startRun, step } from './conductor.js';
export { buildContext, activitySettings, type RunContext, type ActivitySettings } from './context.js';
export {
  carriedOf,
  viewOf,
  type CarriedView,
  type StateView,
  type RunningView,
  type BarrierView,
  type WaitingView,
} from './view.js';
export { openWaits } from './waits.js';
export { detailsOf } from './details.js';
export { readState } from './upgrade.js';
export { STATE_FORMAT } from './state.js';
export type * from './events.js';
export type * from './state.js';
