import { Context } from '@temporalio/activity';
import { CancelledFailure } from '@temporalio/common';
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import type { z } from 'zod';
import { defineActivity, type ActivityIO } from './common/activity.js';
import { countAgentTokens } from './common/metrics.js';
import { nonRetryable, retryable } from './common/failures.js';
import { failureForResponse, fetchOrFail, readText, type Call } from './common/http.js';
import { AGENT_KEYS_ENV, keyHosts } from './common/key-hosts.js';
import { capUtf8 } from './common/text.js';
import { contextBlocks, readNewestOutput, type ReadNewestOutput } from './agent/context.js';
import { providerSetting, runLocal } from './agent/local.js';
import { agentInputSchema, type AgentProvider } from './inputs.js';
import type { AgentResult, AgentUsage } from './types.js';

export { agentInputSchema };

/** Replies are capped so a result stays far below Temporal's 2 MiB payload limit. */
export const AGENT_MAX_TEXT_BYTES = 512 * 1024;
const SERVICE = 'agent endpoint';
/** Parsed `with` of an agent task. */
export type AgentInput = z.output<typeof agentInputSchema>;

/** Knobs tests turn; the activity uses the defaults. */
export interface AgentOptions {
  /** Where defaults and the key are read (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** Reads a job's newest run output for `context_from` (the activity reads Temporal visibility). */
  readNewestOutput?: ReadNewestOutput;
  maxTextBytes?: number;
  /** Where the local provider says it is installing or loading its model. */
  log?: (line: string) => void;
}

interface Completion {
  text: string[];
  bytes: number;
  truncated: boolean;
  model: string;
  finishReason: string | null;
  usage: AgentUsage | null;
  done: boolean;
}

/**
 * Where this conversation runs: the task's `provider`, else the worker's
 * SWITCHYARD_AGENT_PROVIDER, else `openai` when an endpoint is configured (a model, base URL
 * or key name in the task or on the worker), else the local model.
 */
export function agentProvider(input: AgentInput, env: NodeJS.ProcessEnv): AgentProvider {
  if (input.provider) return input.provider;
  const set = providerSetting(env);
  if (typeof set === 'object') throw nonRetryable('ConfigError', set.problem);
  if (set) return set;
  const endpoint =
    input.model ?? input.base_url ?? input.api_key_env ?? env.SWITCHYARD_AGENT_MODEL ?? env.SWITCHYARD_AGENT_BASE_URL;
  return endpoint ? 'openai' : 'local';
}

/** One conversation (chat completions, or the local model); throws the failure the retry policy should see. */
export async function runAgent(input: AgentInput, io: ActivityIO, opts: AgentOptions = {}): Promise<AgentResult> {
  const env = opts.env ?? process.env;
  const provider = agentProvider(input, env);
  if (provider === 'local') {
    const prompt = await promptWithContext(input, io, opts);
    return runLocal(
      { system: input.system, prompt, temperature: input.temperature, maxTokens: input.max_tokens, timeoutMs: input.timeout },
      io,
      { env, maxTextBytes: opts.maxTextBytes ?? AGENT_MAX_TEXT_BYTES, ...(opts.log ? { log: opts.log } : {}) },
    );
  }
  const baseUrl = (input.base_url ?? env.SWITCHYARD_AGENT_BASE_URL ?? 'https://api.openai.com/v1').replace(/\/+$/, '');
  const model = input.model ?? env.SWITCHYARD_AGENT_MODEL;
  if (!model) throw nonRetryable('ConfigError', 'no model: set `model` in the task or SWITCHYARD_AGENT_MODEL on the worker');
  const keyEnv = input.api_key_env ?? env.SWITCHYARD_AGENT_API_KEY_ENV ?? 'OPENAI_API_KEY';
  const key = keyFor(keyEnv, baseUrl, env, input.api_key_env !== undefined);

  const prompt = await promptWithContext(input, io, opts);
  const messages = [...(input.system ? [{ role: 'system', content: input.system }] : []), { role: 'user', content: prompt }];
  const body = {
    model,
    messages,
    stream: true,
    stream_options: { include_usage: true },
    ...(input.temperature !== undefined ? { temperature: input.temperature } : {}),
    ...(input.max_tokens !== undefined ? { max_tokens: input.max_tokens } : {}),
  };
  io.heartbeat({ phase: 'request' });
  const call = await fetchOrFail(
    `${baseUrl}/chat/completions`,
    {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'text/event-stream, application/json',
        ...(key.value ? { authorization: `Bearer ${key.value}` } : {}),
      },
      body: JSON.stringify(body),
    },
    { signal: io.signal, service: SERVICE, ...(input.timeout !== undefined ? { timeoutMs: input.timeout } : {}) },
  );
  if (!call.res.ok) {
    const failure = await failureForResponse(SERVICE, call);
    if (key.withheld && (call.res.status === 401 || call.res.status === 403)) failure.message += ` (${key.withheld})`;
    throw failure;
  }

  const acc: Completion = { text: [], bytes: 0, truncated: false, model, finishReason: null, usage: null, done: false };
  const max = opts.maxTextBytes ?? AGENT_MAX_TEXT_BYTES;
  if ((call.res.headers.get('content-type') ?? '').includes('text/event-stream')) await readStream(call, acc, max, io);
  else readJson(await readText(call), acc, max);

  const text = acc.text.join('');
  return {
    text,
    truncated: acc.truncated,
    model: acc.model,
    finishReason: acc.finishReason,
    usage: acc.usage,
    silent: text.trim() === '[SILENT]',
  };
}

/** The prompt with `context_from`'s blocks above it. */
async function promptWithContext(input: AgentInput, io: ActivityIO, opts: AgentOptions): Promise<string> {
  if (input.context_from === undefined || input.context_from.length === 0) return input.prompt;
  if (!opts.readNewestOutput) throw nonRetryable('ConfigError', 'context_from needs a Temporal client on this worker');
  io.heartbeat({ phase: 'context' });
  return (await contextBlocks(input.context_from, input.context_max_chars, opts.readNewestOutput)) + input.prompt;
}

/** The key to send, or why none is sent; throws when a named key may not go to this host. */
function keyFor(keyEnv: string, baseUrl: string, env: NodeJS.ProcessEnv, named: boolean): { value?: string; withheld?: string } {
  const value = env[keyEnv];
  // An explicitly named key must exist; the default may be absent (local servers need none).
  if (!value) {
    if (named)
      throw nonRetryable('ConfigError', `environment variable ${keyEnv} (named by api_key_env) is not set on this worker`);
    return {};
  }
  const hosts = keyHosts(env);
  if (typeof hosts === 'string') throw nonRetryable('ConfigError', hosts);
  const origin = new URL(baseUrl).origin;
  const allowed = hosts.get(keyEnv);
  if (allowed?.has(origin)) return { value };
  const where = allowed ? `only to ${[...allowed].join(', ')}` : 'to no host';
  const why = `this worker sends ${keyEnv} ${where}, not to ${origin}; map it with ${AGENT_KEYS_ENV}=${keyEnv}=${origin}`;
  // A key the task names must reach its endpoint: say so now. The worker's default key is
  // simply not sent (a local model server needs none); a 401 then names why.
  if (named) throw nonRetryable('ConfigError', `api_key_env: ${why}`);
  return { withheld: `no key sent: ${why}` };
}

function append(acc: Completion, piece: string, max: number): void {
  if (!piece || acc.truncated) return;
  const c = capUtf8(piece, max - acc.bytes);
  acc.text.push(c.text);
  acc.bytes += Buffer.byteLength(c.text);
  acc.truncated = c.cut;
}

function usageOf(raw: unknown): AgentUsage | null {
  const u = raw as { prompt_tokens?: unknown; completion_tokens?: unknown; total_tokens?: unknown } | null | undefined;
  if (!u || typeof u.prompt_tokens !== 'number' || typeof u.completion_tokens !== 'number') return null;
  return {
    promptTokens: u.prompt_tokens,
    completionTokens: u.completion_tokens,
    totalTokens: typeof u.total_tokens === 'number' ? u.total_tokens : u.prompt_tokens + u.completion_tokens,
  };
}

interface ChunkShape {
  model?: string;
  usage?: unknown;
  error?: { message?: string } | string;
  choices?: { delta?: { content?: string | null }; message?: { content?: string | null }; finish_reason?: string | null }[];
}

async function readStream(call: Call, acc: Completion, max: number, io: ActivityIO): Promise<void> {
  let failure: Error | undefined;
  const parser = createParser({
    onEvent(event: EventSourceMessage) {
      if (failure) return;
      if (event.data === '[DONE]') {
        acc.done = true;
        return;
      }
      let chunk: ChunkShape;
      try {
        chunk = JSON.parse(event.data) as ChunkShape;
      } catch {
        failure = retryable('ProtocolError', `${SERVICE} sent a stream event that is not JSON: ${event.data.slice(0, 200)}`);
        return;
      }
      if (chunk.error) {
        const msg = typeof chunk.error === 'string' ? chunk.error : (chunk.error.message ?? JSON.stringify(chunk.error));
        failure = retryable('ServerError', `${SERVICE} reported an error mid-stream: ${msg.slice(0, 500)}`);
        return;
      }
      if (chunk.model) acc.model = chunk.model;
      const choice = chunk.choices?.[0];
      append(acc, choice?.delta?.content ?? '', max);
      if (choice?.finish_reason) acc.finishReason = choice.finish_reason;
      const usage = usageOf(chunk.usage);
      if (usage) acc.usage = usage;
    },
  });
  const decoder = new TextDecoder();
  let lastBeat = 0;
  try {
    for await (const bytes of call.res.body ?? []) {
      parser.feed(decoder.decode(bytes as Uint8Array, { stream: true }));
      if (failure) break;
      if (Date.now() - lastBeat >= 200) {
        lastBeat = Date.now();
        io.heartbeat({ phase: 'streaming', bytes: acc.bytes });
      }
    }
  } catch (err) {
    throw call.fail(err);
  }
  if (failure) {
    await call.res.body?.cancel().catch(() => undefined);
    throw failure;
  }
  // Without [DONE] or a finish reason the connection was cut mid-answer; another attempt may finish.
  if (!acc.done && acc.finishReason === null)
    throw retryable('ProtocolError', `${SERVICE} closed the stream before the answer was complete`);
}

function readJson(body: string, acc: Completion, max: number): void {
  let json: ChunkShape;
  try {
    json = JSON.parse(body) as ChunkShape;
  } catch {
    throw nonRetryable('ProtocolError', `${SERVICE} answered 2xx with neither an event stream nor JSON: ${body.slice(0, 200)}`);
  }
  const choice = json.choices?.[0];
  if (!choice) throw nonRetryable('ProtocolError', `${SERVICE} answered without choices: ${body.slice(0, 200)}`);
  if (json.model) acc.model = json.model;
  append(acc, choice.message?.content ?? '', max);
  acc.finishReason = choice.finish_reason ?? null;
  acc.usage = usageOf(json.usage);
  acc.done = true;
}

/** The `agent` activity; `context_from` is read through the worker's own Temporal client. */
export const agent = defineActivity('agent', agentInputSchema, async (input, ctx) => {
  const context = Context.current();
  const result = await runAgent(input, ctx, {
    readNewestOutput: (job) => readNewestOutput(context.client, job),
    log: (line) => context.log.info(line),
  });
  countAgentTokens(result.model, result.usage);
  // A stopped local generation returns what it had; the attempt itself was cancelled.
  if (result.finishReason === 'cancelled')
    throw new CancelledFailure(
      `cancelled after ${result.usage?.completionTokens ?? 0} generated tokens (finish reason cancelled)`,
    );
  return result;
});
