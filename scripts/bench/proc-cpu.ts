/**
 * CPU time of another process as the kernel accounts it: utime+stime from /proc/<pid>/stat,
 * which are totals over all the process's threads (Node's JS thread, libuv's pool, the
 * Temporal core's Rust threads), including threads that have already exited; and
 * cutime+cstime, the children it has waited for (here: the `true` processes scripts run).
 * Linux only; the unit is clock ticks (usually 10 ms), so it is coarse for short batches.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** CPU milliseconds of one process at one moment. */
export interface ProcCpu {
  /** utime + stime: the process itself, all threads. */
  ownMs: number;
  /** cutime + cstime: its children that have exited and been waited for. */
  childrenMs: number;
}

function clockTicksPerSecond(): number {
  try {
    const ticks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    return Number.isFinite(ticks) && ticks > 0 ? ticks : 100;
  } catch {
    return 100; // USER_HZ is 100 on every mainstream Linux build.
  }
}

const MS_PER_TICK = 1000 / clockTicksPerSecond();

/** Reads /proc/<pid>/stat; throws naming the pid when the process or /proc is not there. */
export function readProcCpu(pid: number): ProcCpu {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? String(err);
    throw new Error(`cannot read /proc/${pid}/stat (${code}): the benchmark needs Linux and a live process ${pid}`);
  }
  // Field 2 (comm) is in parentheses and may hold spaces; counting starts after its last ')'.
  // From there: [0] state (field 3) … [11] utime (14), [12] stime, [13] cutime, [14] cstime.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const tick = (index: number): number => {
    const value = Number(fields[index]);
    if (!Number.isFinite(value)) throw new Error(`unexpected /proc/${pid}/stat format: ${stat.slice(0, 200)}`);
    return value;
  };
  return {
    ownMs: (tick(11) + tick(12)) * MS_PER_TICK,
    childrenMs: (tick(13) + tick(14)) * MS_PER_TICK,
  };
}

/** Resident memory of a process in MiB, from /proc/<pid>/status: now (VmRSS) and its peak so far (VmHWM). */
export function readProcRss(pid: number): { rssMiB: number; peakMiB: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string): number => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN);
  return { rssMiB: kib('VmRSS') / 1024, peakMiB: kib('VmHWM') / 1024 };
}
