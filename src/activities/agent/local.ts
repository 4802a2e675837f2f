/**
 * The local `agent` provider: a small GGUF chat model run in this worker process with
 * node-llama-cpp's prebuilt CPU binaries (never built from source, nothing sent anywhere).
 *
 * - The model loads lazily, once per worker process (one shared promise), so a worker that
 *   never runs a local agent never pays its memory.
 * - One conversation at a time per worker (a mutex here): the model is CPU bound, and two
 *   generations at once only slow each other. Waiting calls heartbeat as `queued`.
 * - Threads are set, never left to the default: node-llama-cpp's default is twice the math
 *   cores, and llama.cpp's spinning threads on 2 busy cores made one `LlamaChatSession.prompt`
 *   take minutes per token (issue 14). The context is sized to the prompt plus `max_tokens`,
 *   and `max_tokens` always has a bound.
 */
import { availableParallelism } from 'node:os';
import { basename } from 'node:path';
import type * as LlamaModule from 'node-llama-cpp';
import type { Llama, LlamaModel } from 'node-llama-cpp';
import type { ActivityIO } from '../common/activity.js';
import { nonRetryable, retryable } from '../common/failures.js';
import { capUtf8 } from '../common/text.js';
import { AGENT_PROVIDERS, type AgentProvider } from '../inputs.js';
import type { AgentResult } from '../types.js';
import { findLocalModel, LOCAL_MODEL_ENV, LocalModelNotFoundError } from './local-model.js';

/** `max_tokens` when a task sets none: a small model's answers are short, and a bound is a must. */
export const LOCAL_DEFAULT_MAX_TOKENS = 256;
/** Said as the system prompt when the task gives none (node-llama-cpp's own default is long). */
const DEFAULT_SYSTEM = 'You are a helpful, concise assistant.';
/** Room for the chat template's own tokens around the system prompt and the prompt. */
const TEMPLATE_TOKENS = 32;

/** What one local conversation needs. */
export interface LocalRequest {
  system?: string | undefined;
  prompt: string;
  temperature?: number | undefined;
  maxTokens?: number | undefined;
  timeoutMs?: number | undefined;
}

/** Knobs tests turn. */
export interface LocalOptions {
  env?: NodeJS.ProcessEnv;
  maxTextBytes: number;
  log?: (line: string) => void;
}

interface Loaded {
  llama: Llama;
  model: LlamaModel;
  name: string;
}

let loading: Promise<Loaded> | undefined;
let loads = 0;
let queue: Promise<unknown> = Promise.resolve();

/** How many times this process has loaded the local model (tests read it: the second run reuses it). */
export function localModelLoads(): number {
  return loads;
}

/** The threads llama.cpp computes with: SWITCHYARD_LOCAL_THREADS, else at most 2 and never more than the cores; or what is wrong. */
function threadsSetting(env: NodeJS.ProcessEnv): number | string {
  const set = env.SWITCHYARD_LOCAL_THREADS;
  if (set === undefined || set.trim() === '') return Math.min(2, availableParallelism());
  const n = Number(set);
  return Number.isInteger(n) && n >= 1 ? n : `SWITCHYARD_LOCAL_THREADS=${set}: must be a whole number of at least 1`;
}

/** The worker's SWITCHYARD_AGENT_PROVIDER (undefined when unset), or what is wrong with it. */
export function providerSetting(env: NodeJS.ProcessEnv): AgentProvider | undefined | { problem: string } {
  const set = env.SWITCHYARD_AGENT_PROVIDER?.trim();
  if (!set) return undefined;
  if ((AGENT_PROVIDERS as readonly string[]).includes(set)) return set as AgentProvider;
  return { problem: `SWITCHYARD_AGENT_PROVIDER=${set}: must be one of ${AGENT_PROVIDERS.join(', ')}` };
}

/** The first problem of the worker's agent settings, for the check at worker start. */
export function agentSettingsProblem(env: NodeJS.ProcessEnv): string | undefined {
  const provider = providerSetting(env);
  if (typeof provider === 'object') return provider.problem;
  const threads = threadsSetting(env);
  return typeof threads === 'string' ? threads : undefined;
}

/** The signals a worker (the SDK) and `npm start` stop on. */
const SHUTDOWN_SIGNALS = ['SIGINT', 'SIGTERM'] as const;
let llamaModule: Promise<typeof LlamaModule> | undefined;

/**
 * node-llama-cpp, imported once. Importing it loads signal-exit (through its dependencies),
 * whose SIGINT/SIGTERM listener re-raises the signal when it finds no other listener — and
 * the SDK's shutdown listener removes itself as it runs, so a worker that had loaded the
 * model died on SIGTERM instead of draining (and `npm start` on Ctrl-C, exit by signal
 * instead of 130). Those two listeners are taken off again; signal-exit still runs its
 * hooks at a normal exit.
 */
function importLlama(): Promise<typeof LlamaModule> {
  llamaModule ??= (async () => {
    const before = new Map(SHUTDOWN_SIGNALS.map((signal) => [signal, new Set(process.listeners(signal))]));
    const mod = await import('node-llama-cpp');
    for (const signal of SHUTDOWN_SIGNALS)
      for (const listener of process.listeners(signal))
        if (!before.get(signal)?.has(listener)) process.off(signal, listener as (...args: unknown[]) => void);
    return mod;
  })();
  return llamaModule;
}

async function load(env: NodeJS.ProcessEnv, log: (line: string) => void): Promise<Loaded> {
  const file = await findLocalModel({ env, log });
  // Imported here, not at the top: a worker that never runs a local agent never loads the addon.
  const { getLlama, LlamaLogLevel } = await importLlama();
  const llama = await getLlama({ gpu: false, build: 'never', logLevel: LlamaLogLevel.error, progressLogs: false });
  const model = await llama.loadModel({ modelPath: file.path });
  loads += 1;
  log(`local agent model ${file.path} loaded (${file.source})`);
  return { llama, model, name: `local:${basename(file.path).replace(/\.gguf$/i, '')}` };
}

/** The shared model; a failed load is forgotten so the next attempt tries again. */
function loaded(env: NodeJS.ProcessEnv, log: (line: string) => void): Promise<Loaded> {
  loading ??= load(env, log).catch((err: unknown) => {
    loading = undefined;
    if (err instanceof LocalModelNotFoundError) throw nonRetryable('ConfigError', err.message);
    throw retryable(
      'ServerError',
      `the local model did not load (${LOCAL_MODEL_ENV} names another GGUF file): ${(err as Error).message}`,
    );
  });
  return loading;
}

/** Runs `fn` after every earlier local conversation of this process has ended. */
function serialized<T>(fn: () => Promise<T>): Promise<T> {
  const next = queue.then(fn, fn);
  queue = next.catch(() => undefined);
  return next;
}

/** One conversation with the local model; `finishReason` is 'stop', 'length' or 'cancelled'. */
export async function runLocal(req: LocalRequest, io: ActivityIO, opts: LocalOptions): Promise<AgentResult> {
  const env = opts.env ?? process.env;
  const log = opts.log ?? (() => undefined);
  const threads = threadsSetting(env);
  if (typeof threads === 'string') throw nonRetryable('ConfigError', threads);
  io.heartbeat({ phase: 'queued' });
  let started = false;
  const turn = serialized(async () => {
    if (io.signal.aborted) return cancelledBeforeStart();
    started = true;
    io.heartbeat({ phase: 'loading' });
    const { model, name } = await loaded(env, log);
    const system = req.system ?? DEFAULT_SYSTEM;
    const maxTokens = Math.max(1, req.maxTokens ?? LOCAL_DEFAULT_MAX_TOKENS);
    const promptTokens = model.tokenize(system).length + model.tokenize(req.prompt).length + TEMPLATE_TOKENS;
    const need = promptTokens + maxTokens;
    if (need > model.trainContextSize)
      throw nonRetryable(
        'ConfigError',
        `prompt (~${promptTokens} tokens) plus max_tokens ${maxTokens} exceeds the local model's context of ${model.trainContextSize} tokens`,
      );
    const context = await model.createContext({
      contextSize: Math.min(model.trainContextSize, Math.ceil(need / 256) * 256),
      threads,
    });
    const deadline = req.timeoutMs !== undefined ? AbortSignal.timeout(req.timeoutMs) : undefined;
    const signal = deadline ? AbortSignal.any([io.signal, deadline]) : io.signal;
    try {
      const sequence = context.getSequence();
      const { LlamaChatSession } = await importLlama();
      const session = new LlamaChatSession({ contextSequence: sequence, systemPrompt: system });
      const text: string[] = [];
      let bytes = 0;
      let truncated = false;
      let chunks = 0;
      io.heartbeat({ phase: 'generating', chunks });
      const stopped = (err: unknown) => {
        // Aborted while the prompt was still being read, node-llama-cpp throws the signal's
        // reason instead of returning: that is a stop too, with nothing generated yet.
        if (signal.aborted) return { stopReason: 'abort' as const };
        throw err;
      };
      const meta = await session
        .promptWithMeta(req.prompt, {
          maxTokens,
          signal,
          stopOnAbortSignal: true,
          ...(req.temperature !== undefined ? { temperature: req.temperature } : {}),
          onTextChunk(piece) {
            chunks += 1;
            if (!truncated && piece) {
              const c = capUtf8(piece, opts.maxTextBytes - bytes);
              text.push(c.text);
              bytes += Buffer.byteLength(c.text);
              truncated = c.cut;
            }
            // Every chunk (a token's text): the SDK throttles what reaches the server, and
            // a few tokens a second on a CPU never flood it.
            io.heartbeat({ phase: 'streaming', chunks, bytes });
          },
        })
        .catch(stopped);
      if (deadline?.aborted && !io.signal.aborted)
        throw retryable('Timeout', `the local model did not finish within ${req.timeoutMs} ms`);
      const usage = {
        promptTokens: sequence.tokenMeter.usedInputTokens,
        completionTokens: sequence.tokenMeter.usedOutputTokens,
        totalTokens: sequence.tokenMeter.usedInputTokens + sequence.tokenMeter.usedOutputTokens,
      };
      const finishReason = meta.stopReason === 'abort' ? 'cancelled' : meta.stopReason === 'maxTokens' ? 'length' : 'stop';
      const answer = text.join('');
      return { text: answer, truncated, model: name, finishReason, usage, silent: answer.trim() === '[SILENT]' };
    } finally {
      await context.dispose();
    }
  });
  // A call cancelled while it waits for its turn ends at once (its turn, when it comes, is
  // skipped); one cancelled after its turn began ends when its generation has stopped.
  const leftQueue = new Promise<AgentResult>((resolve) => {
    const leave = () => (started ? void turn.then(resolve, () => undefined) : resolve(cancelledBeforeStart()));
    if (io.signal.aborted) leave();
    else io.signal.addEventListener('abort', leave, { once: true });
  });
  return Promise.race([turn, leftQueue]);
}

function cancelledBeforeStart(): AgentResult {
  return { text: '', truncated: false, model: 'local', finishReason: 'cancelled', usage: null, silent: false };
}
