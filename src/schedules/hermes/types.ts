/**
 * The shape the `switchyard schedule` module consumes (src/schedules on the `schedules`
 * branch): written here field for field until it lands, so the translator's output fits
 * `planSchedules` / `applySchedules` as it is.
 */
import type { Definition } from '../../definition/index.js';

/** When and how a schedule fires. Exactly one of `cron`, `every`, `at`. */
export interface ScheduleOptions {
  cron?: string[];
  every?: string;
  at?: string;
  timezone?: string;
  overlap?: 'skip' | 'buffer-one' | 'buffer-all' | 'cancel-other' | 'terminate-other' | 'allow-all';
  catchup?: string;
  jitter?: string;
  runs?: number;
  paused?: boolean;
  note?: string;
}

/** One schedule to create or update: its id, the definition it runs, its run input and options. */
export interface ScheduleRequest {
  id: string;
  definition: Definition;
  input: Record<string, unknown>;
  options: ScheduleOptions;
  memo?: Record<string, unknown>;
  source?: string;
  /** Who manages it; `apply --prune` deletes only what `apply` made. */
  managedBy?: string;
}
