/**
 * What exec(2) accepts, checked before a script is spawned: over it the OS refuses with
 * E2BIG, which no retry can fix. On Linux one argv or environment string may take at most
 * MAX_ARG_STRLEN (32 pages: 128 KiB with its NUL), and all of them together — strings, NULs
 * and one pointer each — at most ARG_MAX (`getconf ARG_MAX`: a quarter of the stack limit,
 * 2 MiB by default). Large data belongs on stdin (a pipe has no such limit) or in a file.
 */
import { execFileSync } from 'node:child_process';
import { sizeText } from '../../payloads.js';
import { nonRetryable } from '../common/failures.js';

/** Linux's MAX_ARG_STRLEN: the most one argv or environment string may take, NUL included. */
export const MAX_ARG_STRLEN = 128 * 1024;

/** Used when `getconf ARG_MAX` cannot be asked: Linux's value for the default 8 MiB stack. */
const DEFAULT_ARG_MAX = 2 * 1024 * 1024;

/** Room for what exec copies besides argv and env: the program's path and the final NULL pointers. */
const EXEC_HEADROOM = 4096;

const POINTER_BYTES = 8;

let cachedArgMax: number | undefined;

/** The OS's ARG_MAX, asked once per worker process. */
export function systemArgMax(): number {
  if (cachedArgMax === undefined) {
    try {
      const value = Number.parseInt(execFileSync('getconf', ['ARG_MAX'], { encoding: 'utf8' }).trim(), 10);
      cachedArgMax = Number.isFinite(value) && value > 0 ? value : DEFAULT_ARG_MAX;
    } catch {
      cachedArgMax = DEFAULT_ARG_MAX;
    }
  }
  return cachedArgMax;
}

/** One argv or environment string and what to call it in a message: `command[1]`, `args[0]`, `env.TOKEN`. */
export interface ExecItem {
  name: string;
  text: string;
}

/** The exec strings of a script: its argv items by their place in `with`, its environment by name. */
export function execItems(argv: readonly ExecItem[], env: NodeJS.ProcessEnv): ExecItem[] {
  const environment = Object.entries(env).flatMap(([key, value]) =>
    value === undefined ? [] : [{ name: `env.${key}`, text: `${key}=${value}` }],
  );
  return [...argv, ...environment];
}

/**
 * Throws a non-retryable ScriptArgsTooLarge naming the item (or the total) and its size if
 * exec would refuse these strings; `argMax` is the OS's ARG_MAX (default: asked once).
 */
export function checkExecLimits(items: readonly ExecItem[], argMax: number = systemArgMax()): void {
  let total = EXEC_HEADROOM;
  let largest: { name: string; bytes: number } | undefined;
  for (const item of items) {
    const bytes = Buffer.byteLength(item.text) + 1;
    if (process.platform === 'linux' && bytes > MAX_ARG_STRLEN) {
      throw argsTooLarge(
        `${item.name} is ${sizeText(bytes)} (${bytes} bytes), over the ${sizeText(MAX_ARG_STRLEN)} the OS allows one argument or environment string (MAX_ARG_STRLEN)`,
      );
    }
    total += bytes + POINTER_BYTES;
    if (largest === undefined || bytes > largest.bytes) largest = { name: item.name, bytes };
  }
  if (total > argMax) {
    const biggest = largest === undefined ? '' : `; the largest is ${largest.name} (${sizeText(largest.bytes)})`;
    throw argsTooLarge(
      `the arguments and environment take ${sizeText(total)} (${total} bytes), over the OS's ${sizeText(argMax)} for them (ARG_MAX)${biggest}`,
    );
  }
}

/** The failure for a spawn the OS refused with E2BIG (a limit this check did not foresee). */
export function execRefused(file: string, items: readonly ExecItem[]): Error {
  const total = items.reduce((sum, item) => sum + Buffer.byteLength(item.text) + 1 + POINTER_BYTES, 0);
  return argsTooLarge(
    `could not start ${JSON.stringify(file)}: the OS refused its arguments and environment as too large (E2BIG, ${sizeText(total)} in ${items.length} strings)`,
  );
}

function argsTooLarge(what: string): Error {
  return nonRetryable(
    'ScriptArgsTooLarge',
    `${what}; pass large values on stdin or in a file, not as arguments or environment variables`,
  );
}
