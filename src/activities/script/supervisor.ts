/**
 * No orphans (issue 9): a worker that dies — even by SIGKILL, which runs none of its own
 * code — takes its scripts with it. Each worker process keeps one small supervisor: a
 * `/bin/sh` in a process group of its own that reads, from a pipe only the worker holds,
 * which script process groups are alive (`+ pgid`, `- pgid`). When the worker exits for
 * any reason the kernel closes that pipe; the supervisor reads end-of-file and terminates
 * every group still registered (SIGTERM, then SIGKILL after the grace), so a retry on
 * another worker never runs beside the dead worker's copy.
 *
 * One shell per worker, not one per script: registering a group is one short write to a
 * pipe, so a script's start costs what it cost before (no extra process, no Node start).
 * The window between spawn() returning a pid and that write is a few microseconds of
 * synchronous code; a worker killed inside it leaves that one script unsupervised.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { Socket } from 'node:net';

/** The supervisor's program; $1 is the grace in tenths of a second. */
const SUPERVISOR = `
trap '' INT HUP
groups=' '
while read -r verb pgid; do
  case $verb in
    +) groups="$groups$pgid " ;;
    -) case $groups in *" $pgid "*) groups="\${groups%% $pgid *} \${groups#* $pgid }" ;; esac ;;
  esac
done
set -- $groups
[ $# -gt 0 ] || exit 0
for g do kill -s TERM -- "-$g" 2>/dev/null; done
left=$GRACE_TENTHS
while [ "$left" -gt 0 ]; do
  alive=
  for g do kill -s 0 -- "-$g" 2>/dev/null && alive=1; done
  [ -n "$alive" ] || exit 0
  sleep 0.1
  left=$((left - 1))
done
for g do kill -s KILL -- "-$g" 2>/dev/null; done
`;

/** What `ps` shows for a worker's supervisor: `switchyard-supervisor <worker pid>`. */
export const SUPERVISOR_NAME = 'switchyard-supervisor';

/** Time the supervisor gives a dead worker's scripts between SIGTERM and SIGKILL. */
const GRACE_MS = 2000;

let current: { child: ChildProcess; pipe: Socket } | undefined;
/** Groups registered and not yet released: re-sent to a supervisor that had to be restarted. */
const groups = new Set<number>();

function supervisor(): Socket {
  if (current !== undefined) return current.pipe;
  const child = spawn('/bin/sh', ['-c', SUPERVISOR, SUPERVISOR_NAME, String(process.pid)], {
    // Its own process group: a signal to the worker's group (Ctrl-C, `kill -- -pgid`) must
    // not take the supervisor before it has done its job.
    detached: true,
    stdio: ['pipe', 'ignore', 'ignore'],
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', GRACE_TENTHS: String(Math.ceil(GRACE_MS / 100)) },
  });
  // stdin of a child is a pipe socket; neither it nor the child may keep the worker alive.
  const pipe = child.stdin as Socket;
  pipe.on('error', () => undefined);
  pipe.unref();
  child.unref();
  const started = { child, pipe };
  current = started;
  const lost = () => {
    if (current !== started) return;
    current = undefined;
    // Someone killed it: start another at once for the groups still running.
    if (groups.size > 0) supervisor();
  };
  child.once('exit', lost);
  child.once('error', lost);
  for (const pgid of groups) pipe.write(`+ ${pgid}\n`);
  return pipe;
}

/** Puts a script's process group under the supervisor; call as soon as its pid is known. */
export function superviseGroup(pgid: number): void {
  const pipe = supervisor();
  groups.add(pgid);
  pipe.write(`+ ${pgid}\n`);
}

/** The group is gone (confirmed by the caller): the supervisor forgets it, so its pgid may be reused safely. */
export function releaseGroup(pgid: number): void {
  if (!groups.delete(pgid)) return;
  current?.pipe.write(`- ${pgid}\n`);
}

/** The supervisor's pid, once one was started (tests look for it). */
export function supervisorPid(): number | undefined {
  return current?.child.pid;
}
