/** Import of the old cron store (`schedule import`): the translator and the graph it generates. */
export { translateStore, type TranslateOptions, type Translation, type SkippedJob } from './translate.js';
export { hermesDefinition, type GraphPlan, type GraphInput } from './graph.js';
export { parseStore, formatStoreProblem, StoreError, type StoreProblem, type HermesJob } from './store.js';
export type { ScheduleOptions, ScheduleRequest } from './types.js';
export { parseStoreText } from './read.js';
