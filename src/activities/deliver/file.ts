import { randomBytes } from 'node:crypto';
import { link, lstat, mkdir, open, realpath, rename, stat, unlink } from 'node:fs/promises';
import { isAbsolute, join, normalize, sep } from 'node:path';
import { nonRetryable, retryable } from '../common/failures.js';
import type { TargetDriver } from './driver.js';
import { envelopeFor } from './envelope.js';

const exists = (path: string) =>
  stat(path).then(
    () => true,
    () => false,
  );

/**
 * `file:DIR` — one JSON file per delivery id in an outbox folder inside the outbox root
 * (SWITCHYARD_OUTBOX_ROOT, or the worker's cwd). Written to a temp file in the same folder,
 * then hard-linked into place: link() refuses to replace an existing file, so even two racing
 * attempts leave exactly one complete file, and a retry reports `duplicate-skipped`.
 *
 * The folder is jailed in the root (SPEC §3 rule 15: a target may come from run input): no
 * absolute path, no `..`, and no symbolic link on the way down from the root, checked and
 * created one folder at a time so nothing is ever made or written outside it.
 */
export const deliverFile: TargetDriver = async (dir, job, progress, onPart) => {
  const root = job.env.SWITCHYARD_OUTBOX_ROOT ?? process.cwd();
  const folder = await outboxFolder(root, dir);
  const path = join(folder, `${job.deliveryId}.json`);
  const done = (status: 'delivered' | 'duplicate-skipped') => {
    progress.details.push(path);
    progress.done = 1;
    onPart();
    return { status, parts: 1, details: progress.details };
  };
  if (await exists(path)) return done('duplicate-skipped');
  const temp = join(folder, `.${job.deliveryId}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    const handle = await open(temp, 'wx');
    try {
      await handle.writeFile(`${JSON.stringify(envelopeFor(job), null, 2)}\n`);
      await handle.sync();
    } finally {
      await handle.close();
    }
    try {
      await link(temp, path);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') return done('duplicate-skipped');
      // Some filesystems have no hard links; rename is still atomic, only not exclusive.
      if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP') throw err;
      if (await exists(path)) return done('duplicate-skipped');
      await rename(temp, path);
    }
    return done('delivered');
  } catch (err) {
    throw fsFailure(err, `cannot write ${path}`);
  } finally {
    await unlink(temp).catch(() => undefined);
  }
};

/**
 * The folder `dir` names inside the outbox `root`, created if missing; refuses (for good) a
 * path that leaves the root or passes a symbolic link below it.
 */
async function outboxFolder(root: string, dir: string): Promise<string> {
  const target = `file:${dir}`;
  const refuse = (why: string) =>
    nonRetryable('DeliveryRefused', `${target}: ${why}; write a folder inside the outbox root ${root}`);
  if (isAbsolute(dir)) throw refuse('an absolute path leaves the outbox');
  const segments = normalize(dir)
    .split(sep)
    .filter((segment) => segment !== '' && segment !== '.');
  if (segments.includes('..')) throw refuse("'..' leaves the outbox");
  let folder: string;
  try {
    folder = await realpath(root);
  } catch (err) {
    throw fsFailure(err, `the outbox root ${root} is not usable`);
  }
  for (const segment of segments) {
    folder = join(folder, segment);
    const found = await lstat(folder).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return undefined;
      throw fsFailure(err, `cannot read outbox folder ${folder}`);
    });
    if (found?.isSymbolicLink()) throw refuse(`${folder} is a symbolic link, which could lead out of the outbox`);
    if (found !== undefined && !found.isDirectory()) throw refuse(`${folder} is not a folder`);
    if (found === undefined) {
      // Not recursive: each level is checked before the next is made. A racing creator is fine.
      await mkdir(folder).catch((err: NodeJS.ErrnoException) => {
        if (err.code !== 'EEXIST') throw fsFailure(err, `cannot create outbox folder ${folder}`);
      });
      const made = await lstat(folder);
      if (!made.isDirectory()) throw refuse(`${folder} is not a folder`);
    }
  }
  return folder;
}

function fsFailure(err: unknown, what: string): Error {
  const code = (err as NodeJS.ErrnoException).code ?? '';
  const message = `${what}: ${(err as Error).message}`;
  // Permissions and bad paths stay broken; a full disk or busy file may clear up.
  return ['EACCES', 'EPERM', 'ENOTDIR', 'EROFS', 'EISDIR'].includes(code)
    ? nonRetryable('DeliveryFailed', message)
    : retryable('DeliveryFailed', message);
}
