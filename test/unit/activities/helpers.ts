/** Shared helpers for activity unit tests: a recording ActivityIO and failure capture. */
import { readFileSync } from 'node:fs';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import type { ActivityIO } from '../../../src/activities/common/activity.js';

/** An ActivityIO whose heartbeats are recorded; `abort()` cancels it. */
export function recordingIO(): ActivityIO & { beats: unknown[]; abort: () => void } {
  const controller = new AbortController();
  const beats: unknown[] = [];
  return { signal: controller.signal, heartbeat: (d) => beats.push(d), beats, abort: () => controller.abort() };
}

/** Awaits a promise that must reject, and returns what it rejected with. */
export async function rejectionOf(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error('expected the promise to reject, but it resolved');
}

/** Awaits a promise that must reject with an ApplicationFailure. */
export async function failureOf(p: Promise<unknown>): Promise<ApplicationFailure> {
  const err = await rejectionOf(p);
  if (!(err instanceof ApplicationFailure)) throw new Error(`expected ApplicationFailure, got ${String(err)}`);
  return err;
}

/** Awaits a promise that must reject with a CancelledFailure. */
export async function cancellationOf(p: Promise<unknown>): Promise<CancelledFailure> {
  const err = await rejectionOf(p);
  if (!(err instanceof CancelledFailure)) throw new Error(`expected CancelledFailure, got ${String(err)}`);
  return err;
}

/** Whether a pid is a live (non-zombie) process; zombies of an unreaping pid 1 count as dead. */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^[ZX]/.test(stat.slice(stat.lastIndexOf(')') + 2));
  } catch {
    return false;
  }
}

/** Polls `check` until it returns a value (not undefined) or `ms` pass. */
export async function waitFor<T>(check: () => T | undefined, ms = 5000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const value = check();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error('waitFor: condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}
