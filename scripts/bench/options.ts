/**
 * The benchmark's command-line flags (`npm run bench -- --runs 20 --rounds 4 --json`).
 * A wrong flag is a usage error: exit code 2, as for the client.
 */
import { Command, CommanderError, InvalidArgumentError } from 'commander';

/** What one benchmark run does. */
export interface BenchOptions {
  /** Runs per batch: one batch is `runs` runs of one workload by one kind of workflow. */
  runs: number;
  /** Rounds: each round runs one interpreter batch and one baseline batch of every workload. */
  rounds: number;
  /** Unmeasured runs of each workload and kind first: the first runs JIT-compile everything. */
  warmup: number;
  /** Runs started at once in each throughput batch (0: no throughput batches). */
  concurrent: number;
  /** Iterations of the loop workload (0: no loop workload). */
  loop: number;
  /** `true`: the JSON document on stdout (the table on stderr); a path: JSON to that file. */
  json: boolean | string;
}

function positiveInt(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`${name} must be a whole number ≥ 1`);
    return n;
  };
}

function wholeNumber(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('must be a whole number ≥ 0');
  return n;
}

/** Parses argv; on a mistake or --help, prints and exits (2 for a mistake, 0 for help). */
export function parseOptions(argv: readonly string[]): BenchOptions {
  const program = new Command('bench')
    .description(
      'Latency, throughput, history, worker CPU and memory of the interpreter against hand-written baseline ' +
        'workflows doing the same work, measured interleaved in one run on a dev server of its own (SPEC §7).',
    )
    .option('--runs <n>', 'runs per batch', positiveInt('--runs'), 20)
    .option('--rounds <n>', 'rounds of interleaved interpreter/baseline batches', positiveInt('--rounds'), 3)
    .option('--warmup <n>', 'unmeasured runs of each workload and kind first', wholeNumber, 5)
    .option('--concurrent <n>', 'runs started at once in a throughput batch (0: none)', wholeNumber, 200)
    .option('--loop <n>', 'iterations of the loop workload, measured one run per batch (0: none)', wholeNumber, 1000)
    .option('--json [file]', 'JSON document: to stdout (the table then goes to stderr), or to a file', false)
    .exitOverride()
    .configureOutput({ writeErr: (text) => process.stderr.write(text) });
  try {
    program.parse(argv, { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) process.exit(err.exitCode === 0 ? 0 : 2);
    throw err;
  }
  return program.opts<BenchOptions>();
}
