/**
 * What can go wrong on the command line, as named errors, and the exit code each one means.
 * src/client.ts maps an error to its code; the commands only throw.
 */

/** Exit codes; documented in --help and the README. */
export const EXIT = { ok: 0, failed: 1, usage: 2, unreachable: 3, notFound: 4 } as const;

/** A usage or input mistake on the command line: exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Temporal did not answer the connection: exit code 3. */
export class UnreachableError extends Error {
  override readonly name = 'UnreachableError';
}

/** The run id names nothing: exit code 4. */
export class NotFoundError extends Error {
  override readonly name = 'NotFoundError';
}
