/** An OpenAI-compatible chat-completions peer: streams SSE chunks, or plain JSON when `stream` is false. */
import { startPeer, type Peer, type Reply } from './http-peer.js';

/** What the next completion says and reports. */
export interface Completion {
  text: string;
  model?: string;
  finishReason?: string;
  usage?: { prompt_tokens: number; completion_tokens: number; total_tokens: number } | null;
  /** Characters per streamed chunk (default 5). */
  chunkSize?: number;
}

/** The chat-completions peer, with reply builders for the failure modes agent tests need. */
export interface OpenAIPeer extends Peer {
  /** Base URL to configure as `base_url` (ends in /v1). */
  baseUrl: string;
  /** Sets what every later (unscripted) completion answers. */
  answer(completion: Completion): void;
}

/** An SSE reply streaming `completion` the way OpenAI does (role, content deltas, finish, usage, [DONE]). */
export function streamReply(c: Completion, opts: { intervalMs?: number; hangAfter?: boolean } = {}): Reply {
  const model = c.model ?? 'peer-model';
  const base = { id: 'chatcmpl-peer', object: 'chat.completion.chunk', created: 0, model };
  const size = c.chunkSize ?? 5;
  const events = [
    JSON.stringify({ ...base, choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }] }),
  ];
  for (let i = 0; i < c.text.length; i += size) {
    events.push(
      JSON.stringify({ ...base, choices: [{ index: 0, delta: { content: c.text.slice(i, i + size) }, finish_reason: null }] }),
    );
  }
  if (opts.hangAfter) return { sse: events, intervalMs: opts.intervalMs ?? 0, hang: true };
  events.push(JSON.stringify({ ...base, choices: [{ index: 0, delta: {}, finish_reason: c.finishReason ?? 'stop' }] }));
  if (c.usage !== null)
    events.push(
      JSON.stringify({ ...base, choices: [], usage: c.usage ?? { prompt_tokens: 11, completion_tokens: 7, total_tokens: 18 } }),
    );
  events.push('[DONE]');
  return { sse: events, intervalMs: opts.intervalMs ?? 0 };
}

/** A non-streaming chat.completion JSON reply. */
export function jsonReply(c: Completion): Reply {
  return {
    body: {
      id: 'chatcmpl-peer',
      object: 'chat.completion',
      model: c.model ?? 'peer-model',
      choices: [{ index: 0, message: { role: 'assistant', content: c.text }, finish_reason: c.finishReason ?? 'stop' }],
      usage: c.usage ?? { prompt_tokens: 11, completion_tokens: 7, total_tokens: 18 },
    },
  };
}

/** An OpenAI-shaped error reply. */
export function errorReply(status: number, message: string, headers: Record<string, string> = {}): Reply {
  return { status, headers, body: { error: { message, type: 'peer_error', code: null } } };
}

const DEFAULT_COMPLETION: Completion = { text: 'Hello from the peer.' };

/** Starts the peer; it answers `answer()`'s completion (default "Hello from the peer."). */
export async function startOpenAIPeer(): Promise<OpenAIPeer> {
  let completion: Completion = DEFAULT_COMPLETION;
  const peer = await startPeer((req) => {
    if (req.method !== 'POST' || !req.path.endsWith('/v1/chat/completions'))
      return errorReply(404, `no route ${req.method} ${req.path}`);
    const body = req.json as { stream?: boolean } | undefined;
    return body?.stream ? streamReply(completion) : jsonReply(completion);
  });
  const resetPeer = peer.reset;
  return Object.assign(peer, {
    baseUrl: `${peer.url}/v1`,
    answer: (c: Completion) => {
      completion = c;
    },
    /** Also forgets the answer a test set. */
    reset: () => {
      resetPeer();
      completion = DEFAULT_COMPLETION;
    },
  });
}
