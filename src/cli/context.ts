/**
 * What every command runs with: the global options (`--address`, `--namespace`, `--json`),
 * one way to print a result (`emit`) and one way to reach Temporal (`withClient`), so that
 * every command answers `--json` and reports an unreachable server the same way.
 */
import type { Command } from 'commander';
import { Client, Connection } from '@temporalio/client';
import { describeTarget, resolveConnectTarget, unreachableHint, type ConnectTarget } from '../temporal/connection.js';
import { UnreachableError } from './errors.js';

/** The options given before the command name. */
export interface GlobalOptions {
  address?: string;
  namespace?: string;
  json?: boolean;
}

/**
 * Adds one group of commands to the program. `globals` is read when a command runs, after
 * commander has parsed the options given before it.
 */
export type CommandGroup = (program: Command, globals: () => GlobalOptions) => void;

/** Writes a result for humans or, with --json, for scripts. */
export function emit(options: GlobalOptions, value: unknown, human: () => string): void {
  console.log(options.json ? JSON.stringify(value, null, 2) : human());
}

/** Runs `fn` with a connected client; says where it connected (to stderr, so --json stays clean). */
export async function withClient<T>(
  options: GlobalOptions,
  fn: (client: Client, target: ConnectTarget) => Promise<T>,
): Promise<T> {
  const target = resolveConnectTarget({ address: options.address, namespace: options.namespace });
  let connection: Connection;
  try {
    connection = await Connection.connect({ ...target.config.connectionOptions, connectTimeout: 5_000 });
  } catch (err) {
    throw new UnreachableError(
      `cannot reach Temporal at ${target.address}: ${err instanceof Error ? err.message : String(err)} ${unreachableHint(target)}`,
    );
  }
  if (!options.json) console.error(`connected to ${describeTarget(target)}`);
  try {
    return await fn(new Client({ connection, namespace: target.namespace }), target);
  } finally {
    await connection.close();
  }
}
