import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { agentInputSchema, runAgent } from '../../../src/activities/agent.js';
import { errorReply, jsonReply, startOpenAIPeer, streamReply, type OpenAIPeer } from '../../peers/openai.js';
import { checkWorkerSettings } from '../../../src/worker.js';
import { cancellationOf, failureOf, recordingIO, waitFor } from './helpers.js';

const KEY = 'sk-peer-secret-0123456789';
let peer: OpenAIPeer;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  peer = await startOpenAIPeer();
});
afterAll(async () => {
  await peer.close();
});
beforeEach(() => {
  peer.reset();
  env = {
    SWITCHYARD_AGENT_BASE_URL: peer.baseUrl,
    SWITCHYARD_AGENT_MODEL: 'peer-model',
    PEER_KEY: KEY,
    SWITCHYARD_AGENT_API_KEY_ENV: 'PEER_KEY',
  };
});

const ask = (w: Record<string, unknown>, io = recordingIO()) => runAgent(agentInputSchema.parse(w), io, { env });

describe('agent: a streamed conversation', () => {
  it('streams text and reports usage, finish reason and model; sends stream + include_usage and the key from the named env var', async () => {
    peer.answer({
      text: 'Streaming works, chunk by chunk.',
      model: 'served-model',
      finishReason: 'length',
      usage: { prompt_tokens: 3, completion_tokens: 9, total_tokens: 12 },
    });
    const io = recordingIO();
    const r = await ask({ prompt: 'Say hi', system: 'Be brief', temperature: 0.2, max_tokens: 50 }, io);
    expect(r).toEqual({
      text: 'Streaming works, chunk by chunk.',
      truncated: false,
      model: 'served-model',
      finishReason: 'length',
      usage: { promptTokens: 3, completionTokens: 9, totalTokens: 12 },
      silent: false,
    });
    const req = peer.requests[0];
    expect(req?.path).toBe('/v1/chat/completions');
    expect(req?.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(req?.json).toMatchObject({
      model: 'peer-model',
      stream: true,
      stream_options: { include_usage: true },
      temperature: 0.2,
      max_tokens: 50,
      messages: [
        { role: 'system', content: 'Be brief' },
        { role: 'user', content: 'Say hi' },
      ],
    });
    expect(io.beats.length).toBeGreaterThan(0);
    expect(JSON.stringify(r)).not.toContain(KEY);
  });

  it('accepts a plain JSON completion from a server that ignores stream', async () => {
    peer.script(jsonReply({ text: 'not streamed', finishReason: 'stop' }));
    const r = await ask({ prompt: 'x' });
    expect(r.text).toBe('not streamed');
    expect(r.finishReason).toBe('stop');
    expect(r.usage?.totalTokens).toBe(18);
  });

  it('silent is true iff the trimmed reply is exactly [SILENT]', async () => {
    peer.script(streamReply({ text: '  [SILENT]\n' }), streamReply({ text: 'not [SILENT]' }));
    expect((await ask({ prompt: 'x' })).silent).toBe(true);
    expect((await ask({ prompt: 'x' })).silent).toBe(false);
  });

  it('caps the reply text and says so', async () => {
    peer.script(streamReply({ text: 'abcdefghijklmnopqrstuvwxyz' }));
    const r = await runAgent(agentInputSchema.parse({ prompt: 'x' }), recordingIO(), { env, maxTextBytes: 10 });
    expect(r.text).toBe('abcdefghij');
    expect(r.truncated).toBe(true);
    expect(r.usage).not.toBeNull();
  });
});

describe('agent: failures', () => {
  it('429 is retryable and its Retry-After (seconds) becomes nextRetryDelay', async () => {
    peer.script(errorReply(429, 'Rate limit reached', { 'retry-after': '7' }));
    const f = await failureOf(ask({ prompt: 'x' }));
    expect(f.type).toBe('RateLimited');
    expect(f.nonRetryable).toBe(false);
    expect(f.nextRetryDelay).toBe(7000);
  });

  it('429 with an HTTP-date Retry-After, and without one (policy backoff applies)', async () => {
    peer.script(
      errorReply(429, 'slow down', { 'retry-after': new Date(Date.now() + 30_000).toUTCString() }),
      errorReply(429, 'slow down'),
    );
    const dated = await failureOf(ask({ prompt: 'x' }));
    expect(dated.nextRetryDelay).toBeGreaterThan(25_000);
    expect(dated.nextRetryDelay).toBeLessThanOrEqual(30_000);
    const bare = await failureOf(ask({ prompt: 'x' }));
    expect(bare.nonRetryable).toBe(false);
    expect(bare.nextRetryDelay).toBeUndefined();
  });

  it('500 is retryable, and the next attempt succeeds', async () => {
    peer.failNext(1, errorReply(500, 'The server had an error'));
    const f = await failureOf(ask({ prompt: 'x' }));
    expect(f.type).toBe('ServerError');
    expect(f.nonRetryable).toBe(false);
    peer.answer({ text: 'recovered' });
    expect((await ask({ prompt: 'x' })).text).toBe('recovered');
  });

  it('401 is not retryable and carries the server message, never the key', async () => {
    peer.script(errorReply(401, 'Incorrect API key provided: sk-pe***6789.'));
    const f = await failureOf(ask({ prompt: 'x' }));
    expect(f.type).toBe('ClientError');
    expect(f.nonRetryable).toBe(true);
    expect(f.message).toContain('HTTP 401');
    expect(f.message).toContain('Incorrect API key provided');
    expect(f.message).not.toContain(KEY);
  });

  it('400 and 404 are not retryable either', async () => {
    peer.script(errorReply(400, 'bad request'), errorReply(404, 'model not found'));
    expect((await failureOf(ask({ prompt: 'x' }))).nonRetryable).toBe(true);
    expect((await failureOf(ask({ prompt: 'x' }))).message).toContain('model not found');
  });

  it('abort stops a stream that hangs mid-answer', async () => {
    peer.script(streamReply({ text: 'partial answer' }, { hangAfter: true }));
    const io = recordingIO();
    const pending = ask({ prompt: 'x' }, io);
    pending.catch(() => undefined);
    await waitFor(() => (io.beats.some((b) => (b as { phase?: string }).phase === 'streaming') ? true : undefined));
    const t = Date.now();
    io.abort();
    await cancellationOf(pending);
    expect(Date.now() - t).toBeLessThan(1000);
  });

  it('a server that never answers hits the timeout, which is retryable', async () => {
    peer.script({ hang: true });
    const f = await failureOf(ask({ prompt: 'x', timeout: 300 }));
    expect(f.type).toBe('Timeout');
    expect(f.nonRetryable).toBe(false);
  });

  it('a stream cut before the finish is retryable; an unreachable server is a retryable network error', async () => {
    peer.script({ sse: [JSON.stringify({ model: 'm', choices: [{ delta: { content: 'half' } }] })] });
    expect((await failureOf(ask({ prompt: 'x' }))).type).toBe('ProtocolError');
    const f = await failureOf(ask({ prompt: 'x', base_url: 'http://127.0.0.1:1/v1' }));
    expect(f.type).toBe('NetworkError');
    expect(f.nonRetryable).toBe(false);
  });

  it('a key goes only to the host the worker maps it to (SPEC rule 15)', async () => {
    // The named key, aimed at another host: refused before any request.
    const elsewhere = await startOpenAIPeer();
    try {
      const f = await failureOf(ask({ prompt: 'x', api_key_env: 'PEER_KEY', base_url: elsewhere.baseUrl }));
      expect(f).toMatchObject({ type: 'ConfigError', nonRetryable: true });
      expect(f.message).toContain(`this worker sends PEER_KEY only to ${new URL(peer.baseUrl).origin}`);
      expect(f.message).toContain(`SWITCHYARD_AGENT_KEYS=PEER_KEY=${new URL(elsewhere.baseUrl).origin}`);
      expect(elsewhere.requests).toHaveLength(0);

      // OPENAI_API_KEY belongs to api.openai.com: another base_url gets no key at all, and a 401 says why.
      env = { SWITCHYARD_AGENT_MODEL: 'peer-model', OPENAI_API_KEY: KEY };
      elsewhere.script(errorReply(401, 'no key'));
      const withheld = await failureOf(ask({ prompt: 'x', base_url: elsewhere.baseUrl }));
      expect(elsewhere.requests[0]?.headers.authorization).toBeUndefined();
      expect(withheld.message).toContain('no key sent: this worker sends OPENAI_API_KEY only to https://api.openai.com');

      // Mapped by the worker: sent.
      env = { SWITCHYARD_AGENT_MODEL: 'peer-model', OTHER_KEY: KEY, SWITCHYARD_AGENT_KEYS: `OTHER_KEY=${elsewhere.baseUrl}` };
      elsewhere.answer({ text: 'ok' });
      expect((await ask({ prompt: 'x', api_key_env: 'OTHER_KEY', base_url: elsewhere.baseUrl })).text).toBe('ok');
      expect(elsewhere.requests[1]?.headers.authorization).toBe(`Bearer ${KEY}`);
    } finally {
      await elsewhere.close();
    }
  });

  it('a malformed SWITCHYARD_AGENT_KEYS stops the worker at start', () => {
    expect(() => checkWorkerSettings({ SWITCHYARD_AGENT_KEYS: 'GROQ_API_KEY=ftp://x' })).toThrow(
      /SWITCHYARD_AGENT_KEYS: "GROQ_API_KEY=ftp:\/\/x" is not ENV_NAME=https:\/\/host/,
    );
    expect(() => checkWorkerSettings({ SWITCHYARD_AGENT_KEYS: 'A=https://a.example, B=http://127.0.0.1:9' })).not.toThrow();
  });

  it('a named but unset key env var is a config error; a key in `with` is rejected', async () => {
    const f = await failureOf(ask({ prompt: 'x', api_key_env: 'NOT_SET_ANYWHERE' }));
    expect(f.type).toBe('ConfigError');
    expect(f.nonRetryable).toBe(true);
    const bad = agentInputSchema.safeParse({ prompt: 'x', api_key: 'sk-leak' });
    expect(bad.success).toBe(false);
    expect(JSON.stringify(bad.error?.issues)).not.toContain('sk-leak');
    expect(agentInputSchema.safeParse({ prompt: '' }).success).toBe(false);
  });
});
