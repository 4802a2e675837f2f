/**
 * The worker's identity, in one place: the worker gives it to Temporal (it shows in the Web
 * UI and in history as who ran an attempt) and every activity receipt records it, and the two
 * must name the same process. The activity context does not expose the identity its worker
 * was given, so both read it here.
 */
import { hostname } from 'node:os';

/** `switchyard-worker@host:pid`, or SWITCHYARD_WORKER_IDENTITY when set (e.g. in containers, where host and pid say little). */
export function workerIdentity(): string {
  return process.env.SWITCHYARD_WORKER_IDENTITY || `switchyard-worker@${hostname()}:${process.pid}`;
}
