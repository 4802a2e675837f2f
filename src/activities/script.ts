import { stat } from 'node:fs/promises';
import type { z } from 'zod';
import { defineActivity, type ActivityIO } from './common/activity.js';
import { jsonBytes } from './common/canonical.js';
import { cancelled, nonRetryable, retryable } from './common/failures.js';
import { capUtf8 } from './common/text.js';
import { StreamCapture, wantsAgent } from './script/capture.js';
import { checkExecLimits, execItems, execRefused, type ExecItem } from './script/exec-limits.js';
import { terminateGroup } from './script/process-group.js';
import { scriptInputSchema } from './inputs.js';
import { releaseGroup } from './script/supervisor.js';
import { spawnerSetting, spawnScript, type SpawnError, type Spawner } from './script/spawner.js';
import type { ScriptResult } from './types.js';

export { scriptInputSchema };

const MiB = 1024 * 1024;
/** Result budget under Temporal's 2 MiB payload limit, leaving room for the receipt and envelope. */
export const SCRIPT_RESULT_BUDGET = 1.5 * MiB;
const STDERR_TAIL_IN_ERRORS = 2048;

/** Parsed `with` of a script task. */
export type ScriptInput = z.output<typeof scriptInputSchema>;

/** Knobs tests turn; the activity uses the defaults. */
export interface ScriptOptions {
  /** The worker's environment, which the script's is taken from (default process.env). */
  baseEnv?: NodeJS.ProcessEnv;
  /** Interval of liveness heartbeats while the process runs (default 5 s). */
  heartbeatMs?: number;
  /** Time between SIGTERM and SIGKILL of the process group (default 2 s). */
  killGraceMs?: number;
  /** The OS's ARG_MAX the arguments are checked against before spawning (default `getconf ARG_MAX`). */
  argMax?: number;
  /** Who starts the process (default SWITCHYARD_SCRIPT_SPAWNER, else the spawn helper). */
  spawner?: Spawner;
}

/**
 * What a script sees of the worker's environment without asking (SPEC §3 rule 15): enough
 * to find programs and run in the right place, locale and time zone — never the worker's
 * secrets (bot tokens, API keys), which a script could otherwise print into history.
 */
export const SCRIPT_BASE_ENV = [
  'PATH',
  'HOME',
  'USER',
  'LOGNAME',
  'LANG',
  'LANGUAGE',
  'LC_ALL',
  'LC_CTYPE',
  'TZ',
  'TMPDIR',
  'TERM',
] as const;

/**
 * The environment of a script: SCRIPT_BASE_ENV and the names the operator lists in the
 * worker's SWITCHYARD_SCRIPT_ENV (comma-separated), taken from the worker's environment,
 * then the task's `env` (a value sets a variable, null removes one).
 */
function scriptEnvironment(worker: NodeJS.ProcessEnv, own: ScriptInput['env']): NodeJS.ProcessEnv {
  const allowed = (worker.SWITCHYARD_SCRIPT_ENV ?? '')
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
  const env: NodeJS.ProcessEnv = {};
  for (const name of [...SCRIPT_BASE_ENV, ...allowed]) if (worker[name] !== undefined) env[name] = worker[name];
  for (const [key, value] of Object.entries(own ?? {})) {
    if (value === null) delete env[key];
    else env[key] = String(value);
  }
  return env;
}

/** Runs the script to completion; throws the failure the retry policy should see. */
export async function runScript(input: ScriptInput, io: ActivityIO, opts: ScriptOptions = {}): Promise<ScriptResult> {
  if (io.signal.aborted) throw cancelled('script');
  const graceMs = opts.killGraceMs ?? 2000;
  if (input.cwd !== undefined) await checkCwd(input.cwd);
  const [file, args] =
    input.shell !== undefined
      ? ['/bin/sh', ['-c', input.shell, 'switchyard', ...(input.args ?? [])]]
      : [input.command?.[0] ?? '', input.command?.slice(1) ?? []];
  const env = scriptEnvironment(opts.baseEnv ?? process.env, input.env);
  const items = execItems(argvItems(input, [file, ...args]), env);
  checkExecLimits(items, opts.argMax);

  const started = Date.now();
  const child = await spawnScript(
    { file, args, cwd: input.cwd, env, ...(input.stdin !== undefined ? { stdin: input.stdin } : {}) },
    opts.spawner ?? (spawnerSetting(process.env) as Spawner),
  ).catch((error: unknown) => {
    throw notStarted(error as SpawnError, file, items);
  });
  const pid = child.pid;

  const out = new StreamCapture(input.max_output_bytes);
  const err = new StreamCapture(input.max_output_bytes);
  let lastBeat = 0;
  const beat = () => {
    lastBeat = Date.now();
    io.heartbeat({ pid, stdoutBytes: out.total, stderrBytes: err.total });
  };
  beat();
  child.stdout.on('data', (chunk: Buffer) => {
    out.push(chunk);
    if (Date.now() - lastBeat > 1000) beat();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    err.push(chunk);
    if (Date.now() - lastBeat > 1000) beat();
  });

  let stopping: 'timeout' | 'abort' | undefined;
  let termination: Promise<void> | undefined;
  const stop = (why: 'timeout' | 'abort') => {
    stopping ??= why;
    termination ??= terminateGroup(pid, graceMs);
  };
  const onAbort = () => stop('abort');
  io.signal.addEventListener('abort', onAbort, { once: true });
  const ticker = setInterval(beat, opts.heartbeatMs ?? 5000);
  const deadline = input.timeout !== undefined ? setTimeout(() => stop('timeout'), input.timeout) : undefined;

  let hardStop: NodeJS.Timeout | undefined;
  void child.exited.then(() => {
    // The leader is gone; sweep what it left behind in its group (background jobs), and
    // if a setsid'ed escapee still holds our pipes, stop waiting for them eventually.
    termination ??= terminateGroup(pid, graceMs);
    hardStop = setTimeout(() => child.detachOutput(), graceMs + 2000);
  });
  const { code, signal } = await child.closed;
  clearTimeout(hardStop);
  await termination;
  // Gone (or beyond our reach after SIGKILL): the supervisor may forget the pgid.
  releaseGroup(pid);
  clearInterval(ticker);
  clearTimeout(deadline);
  io.signal.removeEventListener('abort', onAbort);
  const durationMs = Date.now() - started;

  const stderrTail = err.lastBytes(STDERR_TAIL_IN_ERRORS).trimEnd();
  if (stopping === 'abort') throw cancelled('script');
  if (stopping === 'timeout') {
    throw retryable(
      'ScriptTimeout',
      `timed out after ${input.timeout} ms; process group terminated${stderrTail ? `; stderr tail:\n${stderrTail}` : ''}`,
    );
  }
  const result: ScriptResult = {
    exitCode: code,
    signal,
    stdout: out.head(),
    stderr: err.head(),
    stdoutTruncated: out.truncated,
    stderrTruncated: err.truncated,
    stdoutBytes: out.total,
    stderrBytes: err.total,
    durationMs,
    wakeAgent: wantsAgent(out.lastBytes(8192)),
  };
  if (code !== 0) {
    const how = code !== null ? `exited with code ${code}` : `was killed by ${signal ?? 'a signal'}`;
    // details[1] (after the receipt) keeps a small copy of the output for `task.error`.
    const brief = fitResult({ ...result }, 64 * 1024);
    throw retryable('ScriptExitError', `${file} ${how}${stderrTail ? `; stderr tail:\n${stderrTail}` : ' (no stderr)'}`, {
      details: [brief],
    });
  }
  if (input.parse_json) result.json = parseStdout(result);
  return fitResult(result, SCRIPT_RESULT_BUDGET);
}

async function checkCwd(cwd: string): Promise<void> {
  const info = await stat(cwd).catch(() => undefined);
  if (!info?.isDirectory())
    throw nonRetryable('ScriptNotRunnable', `working directory ${JSON.stringify(cwd)} does not exist or is not a directory`);
}

/** The argv of a script, each item named by its place in `with` (`command[2]`, `shell`, `args[0]`). */
function argvItems(input: ScriptInput, argv: readonly string[]): ExecItem[] {
  const names =
    input.shell !== undefined
      ? ['/bin/sh', '-c', 'shell', '$0', ...(input.args ?? []).map((_, index) => `args[${index}]`)]
      : argv.map((_, index) => `command[${index}]`);
  return argv.map((text, index) => ({ name: names[index] ?? `argv[${index}]`, text }));
}

/** A program that did not start: "no such file", "not executable" and E2BIG are final failures. */
function notStarted(e: SpawnError, file: string, items: readonly ExecItem[]): Error {
  if (e.code === 'E2BIG') return execRefused(file, items);
  if (e.code === 'ENOENT')
    return nonRetryable(
      'ScriptNotRunnable',
      `executable not found: ${JSON.stringify(file)} (no such file on PATH or relative to cwd)`,
    );
  if (e.code === 'EACCES')
    return nonRetryable('ScriptNotRunnable', `not executable: ${JSON.stringify(file)} (permission denied; check its mode bits)`);
  return retryable('ScriptExitError', `could not start ${JSON.stringify(file)}: ${e.message}`);
}

function parseStdout(result: ScriptResult): unknown {
  if (result.stdoutTruncated) {
    throw nonRetryable(
      'ScriptOutputNotJson',
      `parse_json: stdout (${result.stdoutBytes} bytes) exceeded max_output_bytes, so it cannot be parsed whole`,
    );
  }
  try {
    return JSON.parse(result.stdout) as unknown;
  } catch (e) {
    throw nonRetryable(
      'ScriptOutputNotJson',
      `parse_json: stdout is not JSON (${(e as Error).message}); it starts with ${JSON.stringify(result.stdout.slice(0, 200))}`,
    );
  }
}

/**
 * Shrinks a result until its JSON fits `budget` bytes, cheapest loss first: stdout when `json`
 * already carries it, then stderr, then `json` itself, then halving what is left.
 */
export function fitResult(result: ScriptResult, budget: number): ScriptResult {
  const over = () => jsonBytes(result) > budget;
  const cut = (field: 'stdout' | 'stderr', max: number) => {
    const c = capUtf8(result[field], max);
    result[field] = c.text;
    if (c.cut) result[field === 'stdout' ? 'stdoutTruncated' : 'stderrTruncated'] = true;
  };
  if (over() && result.json !== undefined) cut('stdout', 16 * 1024);
  if (over()) cut('stderr', 16 * 1024);
  if (over() && result.json !== undefined) {
    delete result.json;
    result.jsonDropped = true;
  }
  while (over() && (result.stdout.length > 0 || result.stderr.length > 0)) {
    cut('stdout', Math.floor(Buffer.byteLength(result.stdout) / 2));
    cut('stderr', Math.floor(Buffer.byteLength(result.stderr) / 2));
  }
  return result;
}

/** The `script` activity. */
export const script = defineActivity('script', scriptInputSchema, (input, ctx) =>
  runScript(input, ctx, { heartbeatMs: ctx.heartbeatEveryMs }),
);
