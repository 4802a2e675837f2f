/**
 * `switchyard` — the command-line client: validates and draws definitions, starts runs,
 * inspects, pauses, resumes and cancels them, runs them on Temporal Schedules, and sets a
 * server up for Switchyard. Connects with Temporal's standard
 * environment configuration (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TLS, API key).
 * The commands live in src/cli/, one module per group; this file only builds the program
 * from them and turns what they throw into an exit code.
 *
 * Exit codes: 0 ok · 1 the thing asked about failed (invalid definition, failed run) ·
 * 2 usage error · 3 Temporal unreachable · 4 no such run or schedule.
 */
import { pathToFileURL } from 'node:url';
import { Command, CommanderError } from 'commander';
import { WorkflowFailedError } from '@temporalio/client';
import type { CommandGroup, GlobalOptions } from './cli/context.js';
import { addControlCommands } from './cli/control-commands.js';
import { addDefinitionCommands } from './cli/definition-commands.js';
import { addHistoryCommands } from './cli/history-commands.js';
import { EXIT, NotFoundError, UnreachableError, UsageError } from './cli/errors.js';
import { addRunCommands } from './cli/run-commands.js';
import { addScheduleCommands } from './cli/schedule-commands.js';
import { addSendCommand } from './cli/send-command.js';
import { addSetupCommands } from './cli/setup-commands.js';
import { addWorkerCommands } from './cli/worker-commands.js';

/** The command groups, in the order --help lists them. */
const COMMAND_GROUPS: readonly CommandGroup[] = [
  addDefinitionCommands,
  addRunCommands,
  addControlCommands,
  addSendCommand,
  addHistoryCommands,
  addScheduleCommands,
  addSetupCommands,
  addWorkerCommands,
];

/** Builds the commander program from the command groups and the global options. */
function buildProgram(): Command {
  const program = new Command('switchyard')
    .description('Durable AI-agent jobs as YAML transition graphs on Temporal.')
    .option('--address <host:port>', 'Temporal frontend (default: TEMPORAL_ADDRESS or localhost:7233)')
    .option('--namespace <name>', 'Temporal namespace (default: TEMPORAL_NAMESPACE or default)')
    .option('--json', 'machine-readable output')
    .addHelpText(
      'after',
      '\nExit codes: 0 ok, 1 failed/invalid, 2 usage error, 3 Temporal unreachable, 4 no such run or schedule.',
    )
    .showHelpAfterError()
    .exitOverride();
  const globals = (): GlobalOptions => program.opts<GlobalOptions>();
  for (const addGroup of COMMAND_GROUPS) addGroup(program, globals);
  return program;
}

/** Maps an error to its exit code: the named errors of src/cli/errors.ts, else 1. */
function exitCodeFor(err: unknown): number {
  if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
  if (err instanceof UsageError) return EXIT.usage;
  if (err instanceof UnreachableError) return EXIT.unreachable;
  if (err instanceof NotFoundError) return EXIT.notFound;
  // An invalid definition, a failed run or anything unforeseen.
  return EXIT.failed;
}

/** Runs the client with argv; resolves to the exit code. */
export async function main(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT.ok;
  } catch (err) {
    if (err instanceof CommanderError) return exitCodeFor(err);
    if (err instanceof WorkflowFailedError) {
      console.error(`run failed: ${err.cause?.message ?? err.message}`);
    } else {
      console.error(err instanceof Error ? err.message : String(err));
    }
    return exitCodeFor(err);
  }
}

/** Resolves once everything written to `stream` so far has been handed to the OS. */
function flushed(stream: NodeJS.WriteStream): Promise<void> {
  return new Promise((done) => {
    if (stream.destroyed || !stream.writable) done();
    else stream.write('', () => done());
  });
}

/**
 * Exits with `code` once stdout and stderr have drained. `process.exit` right after a large
 * write to a pipe would cut the output at the pipe's buffer (64 KiB): a script reading
 * `--json` would get half a document.
 */
export async function exitWhenFlushed(code: number): Promise<never> {
  process.exitCode = code;
  await Promise.all([flushed(process.stdout), flushed(process.stderr)]);
  process.exit(code);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).then(exitWhenFlushed, (err: unknown) => {
    console.error(err);
    return exitWhenFlushed(EXIT.failed);
  });
}
