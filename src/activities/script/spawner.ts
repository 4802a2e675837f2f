/**
 * Starting a script's process off the worker (issue 13). Node's spawn() forks the calling
 * process, and a fork costs in proportion to the caller's memory: 1 ms from a 50 MiB
 * process, 16–35 ms from a 350–650 MiB worker, during which the worker's event loop is
 * blocked — so a fan-out's items started one after another, and the worker's memory made
 * every script slower. A small long-lived helper (plain Node, no bundle, no SDK: ~45 MiB)
 * does the spawning instead and relays the process's output and exit over its IPC channel.
 *
 * Guarantees stay: the script is still its own process group (cancel and timeout signal
 * the group from the worker), the worker's supervisor still registers it (supervisor.ts),
 * and the helper itself stops every group it started when the worker goes (its IPC channel
 * closes), covering the moment between the spawn and the registration. SWITCHYARD_SCRIPT_SPAWNER=direct
 * spawns from the worker as before.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { PassThrough, type Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { superviseGroup } from './supervisor.js';

/** A started script process, as runScript uses it. */
export interface ScriptProcess {
  /** Its pid, which is also its process-group id. */
  pid: number;
  stdout: Readable;
  stderr: Readable;
  /** The process ended (its output may still be arriving). */
  exited: Promise<void>;
  /** The process ended and its output pipes closed. */
  closed: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Stop waiting for output pipes that a setsid'ed descendant still holds. */
  detachOutput(): void;
}

/** What to start. */
export interface ScriptSpawn {
  file: string;
  args: string[];
  cwd?: string;
  env: NodeJS.ProcessEnv;
  stdin?: string;
}

/** How scripts are started: from the helper (default) or by the worker itself. */
export type Spawner = 'helper' | 'direct';

/** SWITCHYARD_SCRIPT_SPAWNER as a Spawner, or what is wrong with it. */
export function spawnerSetting(env: NodeJS.ProcessEnv): Spawner | string {
  const value = env.SWITCHYARD_SCRIPT_SPAWNER ?? '';
  if (value === '' || value === 'helper') return 'helper';
  if (value === 'direct') return 'direct';
  return `SWITCHYARD_SCRIPT_SPAWNER=${JSON.stringify(value)}: must be helper or direct`;
}

/** An error starting the program, with the errno code Node gives (ENOENT, EACCES, E2BIG…). */
export type SpawnError = Error & { code?: string };

/** Starts a script; resolves once the OS runs it, rejects with the SpawnError when it cannot. */
export function spawnScript(what: ScriptSpawn, spawner: Spawner): Promise<ScriptProcess> {
  return spawner === 'direct' ? spawnDirect(what) : helper().spawn(what);
}

async function spawnDirect(what: ScriptSpawn): Promise<ScriptProcess> {
  const child = spawn(what.file, what.args, {
    cwd: what.cwd,
    env: what.env,
    // Own process group, so a timeout or cancel can reach every descendant at once.
    detached: true,
    stdio: [what.stdin !== undefined ? 'pipe' : 'ignore', 'pipe', 'pipe'],
  });
  // At once, before anything can wait: if this worker dies from now on, the group dies too.
  if (child.pid !== undefined) superviseGroup(child.pid);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const closed = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('close', (code: number | null, signal: NodeJS.Signals | null) => resolve({ code, signal })),
  );
  await new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', reject);
  });
  if (child.stdin) {
    // A child that exits without reading its stdin gives EPIPE; that is its business.
    child.stdin.on('error', () => undefined);
    child.stdin.end(what.stdin);
  }
  return {
    pid: child.pid as number,
    stdout: child.stdout as Readable,
    stderr: child.stderr as Readable,
    exited,
    closed,
    detachOutput: () => {
      child.stdout?.destroy();
      child.stderr?.destroy();
    },
  };
}

/**
 * The helper's program (CommonJS for `node -e`): spawns on request, relays output and exit.
 * When the worker's channel closes it sends SIGTERM to every group it started that is still
 * running, SIGKILL after the grace, then exits.
 */
const HELPER = `
const { spawn } = require('node:child_process');
const children = new Map();
const send = (m) => { if (process.connected) process.send(m); };
process.on('message', (m) => {
  if (m.t === 'detach') { const c = children.get(m.id); c?.stdout.destroy(); c?.stderr.destroy(); return; }
  let child;
  try {
    child = spawn(m.file, m.args, { cwd: m.cwd, env: m.env, detached: true, stdio: [m.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
  } catch (e) { send({ t: 'error', id: m.id, code: e.code, message: e.message }); return; }
  child.once('error', (e) => { children.delete(m.id); send({ t: 'error', id: m.id, code: e.code, message: e.message }); });
  child.once('spawn', () => {
    children.set(m.id, child);
    send({ t: 'spawned', id: m.id, pid: child.pid });
    if (child.stdin) { child.stdin.on('error', () => {}); child.stdin.end(m.stdin); }
  });
  child.stdout.on('data', (data) => send({ t: 'out', id: m.id, fd: 1, data }));
  child.stderr.on('data', (data) => send({ t: 'out', id: m.id, fd: 2, data }));
  child.once('exit', () => send({ t: 'exit', id: m.id }));
  child.once('close', (code, signal) => { children.delete(m.id); send({ t: 'close', id: m.id, code, signal }); });
});
process.on('disconnect', () => {
  const groups = [...children.values()].map((c) => c.pid);
  const signal = (s) => groups.forEach((g) => { try { process.kill(-g, s); } catch {} });
  signal('SIGTERM');
  setTimeout(() => { signal('SIGKILL'); process.exit(0); }, 2000).unref();
});
`;

/** What the helper sends back. */
type HelperMessage =
  | { t: 'spawned'; id: number; pid: number }
  | { t: 'error'; id: number; code?: string; message: string }
  | { t: 'out'; id: number; fd: 1 | 2; data: Uint8Array }
  | { t: 'exit'; id: number }
  | { t: 'close'; id: number; code: number | null; signal: NodeJS.Signals | null };

interface Pending {
  started: (pid: number) => void;
  failed: (error: SpawnError) => void;
  stdout: PassThrough;
  stderr: PassThrough;
  exit: () => void;
  close: (result: { code: number | null; signal: NodeJS.Signals | null }) => void;
  pid?: number;
}

interface Helper {
  spawn(what: ScriptSpawn): Promise<ScriptProcess>;
}

let current: Helper | undefined;

function helper(): Helper {
  current ??= startHelper(() => (current = undefined));
  return current;
}

function startHelper(gone: () => void): Helper {
  const child: ChildProcess = spawn(process.execPath, ['-e', HELPER], {
    // Its own process group: a signal to the worker's group must leave it to stop the scripts.
    detached: true,
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    serialization: 'advanced',
    // Nothing of the worker's environment: each script gets its own, in the request.
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
  });
  // The helper never keeps the worker alive by itself; its channel does while a script runs,
  // as the pipes of a directly spawned script would.
  child.unref();
  child.channel?.unref();
  const pending = new Map<number, Pending>();
  const settled = (id: number): void => {
    pending.delete(id);
    if (pending.size === 0) child.channel?.unref();
  };
  let nextId = 1;

  child.on('message', (m: HelperMessage) => {
    const run = pending.get(m.id);
    if (run === undefined) return;
    if (m.t === 'spawned') {
      run.pid = m.pid;
      superviseGroup(m.pid);
      run.started(m.pid);
    } else if (m.t === 'error') {
      settled(m.id);
      run.failed(Object.assign(new Error(m.message), { code: m.code }));
    } else if (m.t === 'out') (m.fd === 1 ? run.stdout : run.stderr).write(Buffer.from(m.data));
    else if (m.t === 'exit') run.exit();
    else {
      settled(m.id);
      // Closed once the reader has had every byte, as a child process's 'close' promises.
      void Promise.all([finished(run.stdout), finished(run.stderr)]).finally(() => run.close({ code: m.code, signal: m.signal }));
      run.stdout.end();
      run.stderr.end();
    }
  });
  const lost = (why: string) => {
    gone();
    // The helper is gone: its scripts' groups are stopped (they are the worker's supervisor's
    // too), and every attempt in flight ends as killed, which its retry policy retries.
    for (const run of pending.values()) {
      if (run.pid === undefined) run.failed(Object.assign(new Error(`the script spawn helper ${why}`), { code: 'EHELPER' }));
      else {
        try {
          process.kill(-run.pid, 'SIGKILL');
        } catch {
          // Already gone.
        }
        run.exit();
        run.stdout.end();
        run.stderr.end();
        run.close({ code: null, signal: 'SIGKILL' });
      }
    }
    pending.clear();
  };
  child.once('exit', (code, signal) => lost(`exited (${signal ?? code})`));
  child.once('error', (err) => lost(`failed: ${err.message}`));

  return {
    spawn(what) {
      const id = nextId++;
      return new Promise((resolve, reject) => {
        let exit!: () => void;
        let close!: Pending['close'];
        const exited = new Promise<void>((done) => (exit = done));
        const closed = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) => (close = done));
        const run: Pending = {
          stdout: new PassThrough(),
          stderr: new PassThrough(),
          exit,
          close,
          failed: reject,
          started: (pid) =>
            resolve({
              pid,
              stdout: run.stdout,
              stderr: run.stderr,
              exited,
              closed,
              detachOutput: () => {
                // A helper already gone has closed the pipes itself (see `lost`).
                if (child.connected) child.send({ t: 'detach', id });
              },
            }),
        };
        pending.set(id, run);
        child.channel?.ref();
        try {
          child.send({ t: 'spawn', id, file: what.file, args: what.args, cwd: what.cwd, env: what.env, stdin: what.stdin });
        } catch (err) {
          settled(id);
          reject(Object.assign(new Error(`the script spawn helper is gone: ${(err as Error).message}`), { code: 'EHELPER' }));
        }
      });
    },
  };
}
