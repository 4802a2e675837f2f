/**
 * Where `npm start`'s dev server can be found, and the lock that keeps a second `npm start`
 * off the same SQLite file (issue 11). While the demo serves, `.switchyard/dev.env` (next to
 * its SQLite file) holds the address in the `temporal` CLI's own variables:
 *
 *     TEMPORAL_ADDRESS=127.0.0.1:7233
 *     TEMPORAL_NAMESPACE=default
 *
 * so `set -a; . .switchyard/dev.env; set +a` points the CLI at it, and the worker and client
 * read it themselves when nothing else names a server. The file also names the process that
 * wrote it: a record whose process is gone (a killed `npm start`) is ignored, and its lock
 * taken over. The file is removed when the demo stops.
 */
import { closeSync, ftruncateSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** The record's default place, relative to the working directory. */
export const DEV_ENV_FILE = join('.switchyard', 'dev.env');

/** A recorded dev server. */
export interface DevRecord {
  address: string;
  namespace: string;
  uiUrl?: string;
  pid: number;
  file: string;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists, owned by someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function parse(text: string, file: string): DevRecord | undefined {
  const values = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^([A-Z_]+)=(.*)$/.exec(line.trim());
    if (m?.[1] !== undefined && m[2] !== undefined) values.set(m[1], m[2]);
  }
  const address = values.get('TEMPORAL_ADDRESS');
  const pid = Number(values.get('SWITCHYARD_DEV_PID'));
  if (!address || !Number.isInteger(pid)) return undefined;
  const uiUrl = values.get('SWITCHYARD_UI_URL');
  return { address, namespace: values.get('TEMPORAL_NAMESPACE') ?? 'default', pid, file, ...(uiUrl ? { uiUrl } : {}) };
}

/** The record at `file` if its process still runs; `stale` when it names a dead one. */
export function readDevRecord(file = DEV_ENV_FILE): { record?: DevRecord; stale?: DevRecord } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return {};
  }
  const record = parse(text, resolve(file));
  if (record === undefined) return {};
  return alive(record.pid) ? { record } : { stale: record };
}

/** Thrown when another live `npm start` holds the SQLite file. */
export class DevServerBusyError extends Error {
  override readonly name = 'DevServerBusyError';
}

/**
 * Takes the lock for the dev server of `dbFile` (its `dev.env`, created exclusively) and
 * returns `publish` (write the address once the server answers) and `release` (remove it).
 * @throws DevServerBusyError when a live process holds it.
 */
export function lockDevServer(dbFile: string): {
  file: string;
  publish: (address: string, namespace: string, uiUrl?: string) => void;
  release: () => void;
} {
  const file = join(dirname(resolve(dbFile)), 'dev.env');
  mkdirSync(dirname(file), { recursive: true });
  let fd: number | undefined;
  for (let attempt = 0; attempt < 2 && fd === undefined; attempt++) {
    try {
      fd = openSync(file, 'wx', 0o600);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const { record, stale } = readDevRecord(file);
      if (record !== undefined)
        throw new DevServerBusyError(
          `another npm start (pid ${record.pid}) already serves ${dbFile} at ${record.address}` +
            `${record.uiUrl ? ` (Web UI ${record.uiUrl})` : ''}: stop it first, or use it — the client and \`npm run worker\` find it through ${file}`,
        );
      // A dead process's record, or one being written this instant: take it over once.
      if (stale !== undefined || attempt === 0) rmSync(file, { force: true });
    }
  }
  if (fd === undefined) throw new DevServerBusyError(`could not take ${file}: another npm start is starting`);
  const held = fd;
  writeSync(held, `# npm start (pid ${process.pid}) is starting its dev server\nSWITCHYARD_DEV_PID=${process.pid}\n`);
  return {
    file,
    publish(address, namespace, uiUrl) {
      const lines = [
        `# The dev server of npm start (pid ${process.pid}); removed when it stops.`,
        `# For the temporal CLI: set -a; . ${file}; set +a`,
        `TEMPORAL_ADDRESS=${address}`,
        `TEMPORAL_NAMESPACE=${namespace}`,
        ...(uiUrl ? [`SWITCHYARD_UI_URL=${uiUrl}`] : []),
        `SWITCHYARD_DEV_PID=${process.pid}`,
      ];
      ftruncateSync(held, 0);
      writeSync(held, lines.join('\n') + '\n', 0);
    },
    release() {
      try {
        closeSync(held);
      } catch {
        // already closed
      }
      // Only our own record: never one a later npm start wrote after taking a stale lock.
      const { record, stale } = readDevRecord(file);
      if ((record ?? stale)?.pid === process.pid) rmSync(file, { force: true });
    },
  };
}
