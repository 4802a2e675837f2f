import { randomBytes } from 'node:crypto';
import { link, mkdir, open, rename, stat, unlink } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { nonRetryable, retryable } from '../common/failures.js';
import type { TargetDriver } from './driver.js';
import { envelopeFor } from './envelope.js';

const exists = (path: string) =>
  stat(path).then(
    () => true,
    () => false,
  );

/**
 * `file:DIR` — one JSON file per delivery id in an outbox folder (relative to
 * SWITCHYARD_OUTBOX_ROOT or the worker's cwd). Written to a temp file in the same folder, then
 * hard-linked into place: link() refuses to replace an existing file, so even two racing
 * attempts leave exactly one complete file, and a retry reports `duplicate-skipped`.
 */
export const deliverFile: TargetDriver = async (dir, job, progress, onPart) => {
  const folder = resolve(job.env.SWITCHYARD_OUTBOX_ROOT ?? process.cwd(), dir);
  const path = join(folder, `${job.deliveryId}.json`);
  const done = (status: 'delivered' | 'duplicate-skipped') => {
    progress.details.push(path);
    progress.done = 1;
    onPart();
    return { status, parts: 1, details: progress.details };
  };
  if (await exists(path)) return done('duplicate-skipped');
  try {
    await mkdir(folder, { recursive: true });
  } catch (err) {
    throw fsFailure(err, `cannot create outbox folder ${folder}`);
  }
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

function fsFailure(err: unknown, what: string): Error {
  const code = (err as NodeJS.ErrnoException).code ?? '';
  const message = `${what}: ${(err as Error).message}`;
  // Permissions and bad paths stay broken; a full disk or busy file may clear up.
  return ['EACCES', 'EPERM', 'ENOTDIR', 'EROFS', 'EISDIR'].includes(code)
    ? nonRetryable('DeliveryFailed', message)
    : retryable('DeliveryFailed', message);
}
