/**
 * A ledger of script executions, written by the scripts themselves: each execution appends
 * `start`, then `end` (it finished) or `stop` (it was sent SIGTERM), with its label, pid and
 * the time in nanoseconds (`start` adds the parent's pid: the process that spawned it, the worker's spawn helper or the worker). Tests read it to count how often a task's script ran and whether
 * two executions of one task ever ran at the same time — the OS's account, not Temporal's.
 */
import { readFileSync } from 'node:fs';

/**
 * The script: `sh -c LEDGER_SCRIPT MARKER LEDGER LABEL SECONDS`. MARKER ($0) makes the
 * process easy to find in `ps`; the sleep runs in the background so SIGTERM reaches the
 * trap at once. It writes nothing to its stdout and stderr (the shell's "Terminated" note
 * included): those are pipes to the worker, and once a killed worker's end is closed a
 * write there would end the script by SIGPIPE before its trap could note the stop.
 */
export const LEDGER_SCRIPT = [
  'exec >/dev/null 2>&1',
  'echo "start $2 $$ $(date +%s%N) $PPID" >> "$1"',
  `trap 'echo "stop $2 $$ $(date +%s%N)" >> "$1"; exit 143' TERM`,
  'sleep "$3" & wait $!',
  'echo "end $2 $$ $(date +%s%N)" >> "$1"',
].join('\n');

/** One execution of a labelled script, as its ledger lines tell it. */
export interface Execution {
  label: string;
  pid: number;
  /** The process that spawned it: the worker's spawn helper (script/spawner.ts), or the worker. */
  worker: number;
  start: bigint;
  /** When it finished or was stopped; undefined when it left no line (SIGKILL, or still running). */
  close?: bigint;
  how?: 'end' | 'stop';
}

/** Reads the ledger into executions, in the order they started. */
export function readLedger(file: string): Execution[] {
  const executions = new Map<string, Execution>();
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const [event, label, pid, time, worker] = line.split(' ');
    if (label === undefined || pid === undefined || time === undefined) continue;
    const key = `${label} ${pid}`;
    if (event === 'start') executions.set(key, { label, pid: Number(pid), worker: Number(worker), start: BigInt(time) });
    const execution = executions.get(key);
    if (execution !== undefined && (event === 'end' || event === 'stop')) {
      execution.close = BigInt(time);
      execution.how = event;
    }
  }
  return [...executions.values()].sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
}

/** Pairs of executions of one label that ran at the same time (one started before the other closed). */
export function overlaps(executions: readonly Execution[]): [Execution, Execution][] {
  const found: [Execution, Execution][] = [];
  for (const [i, a] of executions.entries()) {
    for (const b of executions.slice(i + 1)) {
      if (a.label !== b.label) continue;
      // b started after a (sorted); they overlap unless a closed before b started.
      if (a.close === undefined || a.close > b.start) found.push([a, b]);
    }
  }
  return found;
}
