/**
 * The shape the translator hands the schedules module: its own types, named here so the
 * translator's files import them from one place (types only: the translator stays pure).
 */
export type { ScheduleOptions, ScheduleRequest } from '../index.js';
