import { readdirSync, readFileSync } from 'node:fs';

/**
 * Process-group control. The child is spawned detached, so its pid is also its process-group
 * id and `kill(-pid)` reaches every descendant that did not leave the group (setsid escapes
 * it; only cgroups could catch those).
 */

/** Sends a signal to the whole group; false when the group is already gone. */
export function signalGroup(pgid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false;
  }
}

/**
 * Pids of the group's members that are not zombies, read from /proc. Killed orphans become
 * zombies of pid 1, and some container inits never reap them, so kill(-pgid, 0) alone would
 * report a dead group as alive. Undefined where /proc is missing.
 */
export function livingMembers(pgid: number): number[] | undefined {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return undefined;
  }
  const members: number[] = [];
  for (const name of entries) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      // Fields after the parenthesised command name: state ppid pgrp ...
      const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(pgrp) === pgid && state !== 'Z' && state !== 'X') members.push(Number(name));
    } catch {
      // The process ended while we looked.
    }
  }
  return members;
}

/** Whether any live process of the group still exists (EPERM means it exists but is not ours). */
export function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  const living = livingMembers(pgid);
  return living === undefined || living.length > 0;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits up to `ms` for the group to vanish; true when it did. */
export async function waitGroupGone(pgid: number, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (groupAlive(pgid)) {
    if (Date.now() >= until) return false;
    await sleep(25);
  }
  return true;
}

/**
 * SIGTERM the group, give it `graceMs` to exit, then SIGKILL whatever is left and wait
 * briefly for the kernel to finish. Safe to call when the group is already gone.
 */
export async function terminateGroup(pgid: number, graceMs: number): Promise<void> {
  if (!signalGroup(pgid, 'SIGTERM')) return;
  if (await waitGroupGone(pgid, graceMs)) return;
  signalGroup(pgid, 'SIGKILL');
  await waitGroupGone(pgid, 1000);
}
