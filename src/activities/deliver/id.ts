import { createHash } from 'node:crypto';
import type { TaskMeta } from '../types.js';

/**
 * The delivery id: a stable digest of run id, task, iteration and fan-out index, so every
 * retry of one task execution carries the same id (webhook-id, file name, Discord nonce).
 */
export function deliveryIdFor(meta: Pick<TaskMeta, 'runId' | 'task' | 'iteration' | 'index'>): string {
  const key = JSON.stringify([meta.runId, meta.task, meta.iteration, meta.index ?? null]);
  return `sy_${createHash('sha256').update(key).digest('hex').slice(0, 24)}`;
}

/** A per-part Discord nonce (at most 25 characters) derived from the delivery id. */
export function partNonce(deliveryId: string, part: number): string {
  return createHash('sha256').update(`${deliveryId}:${part}`).digest('hex').slice(0, 25);
}
