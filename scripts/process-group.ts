/**
 * Worker processes the bench and chaos scripts start, each detached as its own process
 * group: tracked until they exit, killed as a group, and never left behind when the script
 * itself exits, however it exits.
 */
import type { ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';

const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) killGroup(child, 'SIGKILL');
});

/** Signals `child`'s whole process group, unless it has already gone. */
export function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // Already gone.
  }
}

/** A tracked group: whether it still runs, and a promise of its exit. */
export interface WatchedGroup {
  alive(): boolean;
  readonly exited: Promise<void>;
  /** Sends `signal` to the group, SIGKILL after 10 s if it still runs; resolves once it has exited. */
  end(signal: NodeJS.Signals): Promise<void>;
}

/** Tracks `child` (spawned with `detached: true`) until it exits. */
export function watchGroup(child: ChildProcess): WatchedGroup {
  live.add(child);
  const exited = new Promise<void>((done) =>
    child.once('exit', () => {
      live.delete(child);
      done();
    }),
  );
  return {
    alive: () => live.has(child),
    exited,
    end: async (signal) => {
      killGroup(child, signal);
      if (!(await Promise.race([exited.then(() => true), sleep(10_000).then(() => false)]))) killGroup(child, 'SIGKILL');
      await exited;
    },
  };
}
