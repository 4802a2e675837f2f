import type { TaskMeta } from '../types.js';

/** Everything a target driver needs for one delivery. */
export interface DeliveryJob {
  deliveryId: string;
  meta: TaskMeta;
  content: string;
  title?: string;
  /** Opt-in visible id footer on chat messages. */
  footer: boolean;
  /** Name of the env var holding the webhook signing secret. */
  secretEnv: string;
  env: NodeJS.ProcessEnv;
  signal: AbortSignal;
  timeoutMs: number;
}

/** What a driver reports for one target. */
export interface TargetOutcome {
  status: 'delivered' | 'duplicate-skipped';
  parts: number;
  /** Per-part notes (message ids, HTTP status, file path). */
  details: string[];
}

/** Progress through a target, heartbeated after each part so a retry can skip what is done. */
export interface TargetProgress {
  /** Parts already delivered. */
  done: number;
  details: string[];
  /** Set once the target is finished. */
  outcome?: TargetOutcome;
}

/** Sends a delivery to one target address (the part after `kind:`), resuming at `progress.done`. */
export type TargetDriver = (
  address: string,
  job: DeliveryJob,
  progress: TargetProgress,
  onPart: () => void,
) => Promise<TargetOutcome>;
