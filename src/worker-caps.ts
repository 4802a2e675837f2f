/**
 * Per-kind concurrency and rate caps (SPEC §6), read from a worker's environment.
 *
 * Each activity kind runs on its own task queue (`<queue>-script`, `<queue>-agent`,
 * `<queue>-deliver`, `<queue>-http`), so two Temporal limits apply per kind: the worker's slot limit
 * (`maxConcurrentActivityTaskExecutions`, per worker process) and the server's dispatch rate
 * for the queue (`maxTaskQueueActivitiesPerSecond`, across every worker polling it). A fleet
 * caps a kind globally by running that kind on one worker (`SWITCHYARD_KINDS=agent`) and
 * leaving it out elsewhere.
 */
import { ACTIVITY_KINDS } from './constants.js';

/** What a worker may poll: the workflow queue and each activity kind's queue. */
export const WORKER_KINDS = ['workflow', ...ACTIVITY_KINDS] as const;
export type WorkerKind = (typeof WORKER_KINDS)[number];
export type ActivityKind = (typeof ACTIVITY_KINDS)[number];

/** The caps of one activity kind. */
export interface KindCap {
  /** Activities of this kind one worker runs at once. */
  maxConcurrent: number;
  /** Activities of this kind the server hands out per second across all workers; undefined: no limit. */
  ratePerSecond?: number;
}

/** A worker's kinds and caps. */
export interface WorkerCaps {
  kinds: readonly WorkerKind[];
  caps: Record<ActivityKind, KindCap>;
}

/** Defaults: the old tick ran at most 3 agent conversations at once; the others take the SDK's 100 slots. */
export const DEFAULT_MAX_CONCURRENT: Record<ActivityKind, number> = { script: 100, agent: 3, deliver: 100, http: 100 };

/** The environment variable names of one kind's caps. */
export function capVariables(kind: ActivityKind): { concurrent: string; rate: string } {
  const upper = kind.toUpperCase();
  return { concurrent: `SWITCHYARD_MAX_CONCURRENT_${upper}`, rate: `SWITCHYARD_${upper}_RATE_PER_SECOND` };
}

/**
 * Reads SWITCHYARD_KINDS (comma-separated, default all), SWITCHYARD_MAX_CONCURRENT_<KIND>
 * (a whole number ≥ 1) and SWITCHYARD_<KIND>_RATE_PER_SECOND (a number > 0); returns the
 * first problem as a message naming the variable, or the settings.
 */
export function workerCaps(env: NodeJS.ProcessEnv): WorkerCaps | string {
  let kinds: WorkerKind[] = [...WORKER_KINDS];
  const listed = env.SWITCHYARD_KINDS;
  if (listed !== undefined && listed.trim() !== '') {
    const names = listed.split(',').map((name) => name.trim().toLowerCase());
    const unknown = names.filter((name) => !(WORKER_KINDS as readonly string[]).includes(name));
    if (unknown.length > 0) {
      return `SWITCHYARD_KINDS=${listed}: unknown kind ${unknown.map((name) => `"${name}"`).join(', ')} (kinds: ${WORKER_KINDS.join(', ')})`;
    }
    kinds = WORKER_KINDS.filter((kind) => names.includes(kind));
  }
  const caps = {} as Record<ActivityKind, KindCap>;
  for (const kind of ACTIVITY_KINDS) {
    const names = capVariables(kind);
    const cap: KindCap = { maxConcurrent: DEFAULT_MAX_CONCURRENT[kind] };
    const concurrent = env[names.concurrent];
    if (concurrent !== undefined && concurrent.trim() !== '') {
      const value = Number(concurrent);
      if (!Number.isInteger(value) || value < 1) {
        return `${names.concurrent}=${concurrent}: must be a whole number of at least 1 (${kind} activities one worker runs at once)`;
      }
      cap.maxConcurrent = value;
    }
    const rate = env[names.rate];
    if (rate !== undefined && rate.trim() !== '') {
      const value = Number(rate);
      if (!Number.isFinite(value) || value <= 0) {
        return `${names.rate}=${rate}: must be a number above 0 (${kind} activities started per second across all workers)`;
      }
      cap.ratePerSecond = value;
    }
    caps[kind] = cap;
  }
  return { kinds, caps };
}

/** One line for the worker's start message: `agent ≤3 at once, ≤0.5/s`. */
export function describeCap(kind: ActivityKind, cap: KindCap): string {
  const rate = cap.ratePerSecond === undefined ? 'no rate limit' : `≤${cap.ratePerSecond}/s across workers`;
  return `${kind} ≤${cap.maxConcurrent} at once, ${rate}`;
}
