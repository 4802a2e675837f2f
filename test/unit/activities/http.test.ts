/**
 * The `http` activity against a loopback peer on 127.0.0.1: methods and bodies, JSON answers,
 * redirects (same origin followed, another origin refused), the response size bound, the
 * credential from the worker env, and the address rules it shares with webhooks (SPEC rule 15).
 */
import { ApplicationFailure } from '@temporalio/common';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { guardedDispatcher } from '../../../src/activities/common/egress.js';
import { httpInputSchema, runHttp } from '../../../src/activities/http.js';
import { checkWorkerSettings } from '../../../src/worker.js';
import { startPeer, type Peer } from '../../peers/http-peer.js';
import { failureOf, recordingIO } from './helpers.js';

let peer: Peer;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  peer = await startPeer(() => ({ status: 200, body: { ok: true } }));
});
afterAll(async () => {
  await peer.close();
});
beforeEach(() => {
  peer.reset();
  // The peer listens on 127.0.0.1: an address class the worker must allow explicitly.
  env = {
    SWITCHYARD_WEBHOOK_ALLOW_NETWORKS: 'loopback',
    PEER_TOKEN: 'tok-secret-123456',
    // Where the worker lets that credential go: the peer's origin only.
    SWITCHYARD_HTTP_SECRETS: `PEER_TOKEN=${peer.url}`,
  };
});

const request = (w: Record<string, unknown>) => runHttp(httpInputSchema.parse(w), { ...recordingIO(), env });

describe('http: requests and answers', () => {
  it('sends method, headers and a JSON body; parses a JSON answer', async () => {
    peer.script({ status: 201, headers: { 'content-type': 'application/problem+json' }, body: '{"id": 7}' });
    const result = await request({
      method: 'post',
      url: `${peer.url}/items?x=1`,
      headers: { 'x-run': 'r1', 'x-count': 3 },
      json: { name: 'a' },
    });
    expect(result).toMatchObject({ status: 201, json: { id: 7 }, redirects: 0 });
    expect(result.body).toBeUndefined();
    expect(peer.requests[0]).toMatchObject({ method: 'POST', path: '/items?x=1', json: { name: 'a' } });
    expect(peer.requests[0]?.headers).toMatchObject({ 'x-run': 'r1', 'x-count': '3' });
    expect(peer.requests[0]?.headers['content-type']).toMatch(/^application\/json/);
  });

  it('keeps a non-JSON answer as text and refuses a body that claims JSON but is not', async () => {
    peer.script({ status: 200, headers: { 'content-type': 'text/plain' }, body: '{"not": "parsed"}' });
    expect(await request({ url: `${peer.url}/t` })).toMatchObject({ body: '{"not": "parsed"}', bytes: 17 });
    peer.script({ status: 200, headers: { 'content-type': 'application/json' }, body: '<html>' });
    const failure = await failureOf(request({ url: `${peer.url}/t` }));
    expect(failure).toMatchObject({ type: 'ProtocolError', nonRetryable: true });
  });

  it('expected statuses decide success; an unexpected 2xx is final, a 4xx final, 429 and 5xx retryable with Retry-After', async () => {
    peer.script({ status: 404, body: 'gone' });
    expect(await request({ url: `${peer.url}/a`, expect: [200, 404] })).toMatchObject({ status: 404, body: 'gone' });
    peer.script({ status: 200 });
    expect(await failureOf(request({ url: `${peer.url}/a`, expect: [201] }))).toMatchObject({
      type: 'ClientError',
      nonRetryable: true,
      message: expect.stringMatching(/answered HTTP 200, expected 201/) as string,
    });
    peer.script({ status: 403, body: { error: { message: 'no' } } });
    expect(await failureOf(request({ url: `${peer.url}/a` }))).toMatchObject({ type: 'ClientError', nonRetryable: true });
    peer.script({ status: 429, headers: { 'retry-after': '2' }, body: 'slow' });
    expect(await failureOf(request({ url: `${peer.url}/a` }))).toMatchObject({
      type: 'RateLimited',
      nonRetryable: false,
      nextRetryDelay: 2000,
    });
    peer.script({ status: 503, body: 'down' });
    expect(await failureOf(request({ url: `${peer.url}/a` }))).toMatchObject({ type: 'ServerError', nonRetryable: false });
  });
});

describe('http: redirects', () => {
  it('follows a redirect within the origin (303 turns a POST into a GET without body)', async () => {
    peer.script({ status: 303, headers: { location: '/final' } }, { status: 200, body: { done: true } });
    const result = await request({ method: 'POST', url: `${peer.url}/start`, json: { a: 1 } });
    expect(result).toMatchObject({ status: 200, json: { done: true }, redirects: 1 });
    expect(peer.requests.map((r) => `${r.method} ${r.path} ${r.body}`)).toEqual(['POST /start {"a":1}', 'GET /final ']);
  });

  it('refuses a redirect to another origin without requesting it, and never carries the credential there', async () => {
    const elsewhere = `http://localhost:${new URL(peer.url).port}/stolen`;
    peer.script({ status: 307, headers: { location: elsewhere } });
    const failure = await failureOf(request({ url: `${peer.url}/start`, secret_env: 'PEER_TOKEN' }));
    expect(failure).toMatchObject({ type: 'ClientError', nonRetryable: true });
    expect(failure.message).toMatch(
      /a redirect to http:\/\/localhost:\d+: only redirects within http:\/\/127\.0\.0\.1:\d+ are followed/,
    );
    expect(peer.requests.map((r) => r.path)).toEqual(['/start']);
  });

  it('stops after a bounded number of same-origin redirects', async () => {
    for (let i = 0; i < 10; i++) peer.script({ status: 302, headers: { location: `/hop${i}` } });
    const failure = await failureOf(request({ url: `${peer.url}/loop` }));
    expect(failure.message).toMatch(/redirected more than 5 times/);
    expect(peer.requests).toHaveLength(6);
  });
});

describe('http: response size', () => {
  it('refuses an answer over max_response_bytes, by Content-Length and while streaming', async () => {
    peer.script({ status: 200, headers: { 'content-length': '2048' }, body: 'x'.repeat(2048) });
    const declared = await failureOf(request({ url: `${peer.url}/big`, max_response_bytes: 1024 }));
    expect(declared).toMatchObject({ type: 'ResponseTooLarge', nonRetryable: true });
    expect(declared.message).toMatch(/2048 bytes \(Content-Length\), over this task's max_response_bytes \(1024 bytes\)/);
    peer.script({ status: 200, headers: { 'transfer-encoding': 'chunked' }, body: 'y'.repeat(4096) });
    const streamed = await failureOf(request({ url: `${peer.url}/big`, max_response_bytes: 1024 }));
    expect(streamed).toMatchObject({ type: 'ResponseTooLarge', nonRetryable: true });
    expect(streamed.message).toMatch(/more than 1024 bytes/);
  });

  it('refuses an answer whose result would pass the payload budget once JSON escapes it', async () => {
    peer.script({ status: 200, headers: { 'content-type': 'text/plain' }, body: '\u0001'.repeat(512 * 1024) });
    const failure = await failureOf(request({ url: `${peer.url}/ctl` }));
    expect(failure).toMatchObject({ type: 'ResponseTooLarge', nonRetryable: true });
    expect(failure.message).toMatch(
      /the answer as a result is 3\.0 MiB .*over the 2 MiB payload limit; most of it is result\.body/,
    );
  });

  it('refuses max_response_bytes over 1 MiB in the input', () => {
    expect(httpInputSchema.safeParse({ url: 'https://api.example.com/', max_response_bytes: 2 * 1024 * 1024 }).success).toBe(
      false,
    );
  });
});

describe('http: credentials and addresses (SPEC rule 15)', () => {
  it('sends the secret from the worker env as a bearer token, and redacts it from the answer', async () => {
    peer.script({ status: 200, headers: { 'content-type': 'application/json' }, body: '{"echo": "Bearer tok-secret-123456"}' });
    const result = await request({ url: `${peer.url}/me`, secret_env: 'PEER_TOKEN' });
    expect(peer.requests[0]?.headers.authorization).toBe('Bearer tok-secret-123456');
    expect(result.json).toEqual({ echo: 'Bearer [redacted]' });
    peer.script({ status: 200 });
    await request({ url: `${peer.url}/me`, secret_env: 'PEER_TOKEN', secret_header: 'x-api-key' });
    expect(peer.requests[1]?.headers['x-api-key']).toBe('tok-secret-123456');
  });

  it('a missing secret variable is a final configuration error, before any request', async () => {
    env.SWITCHYARD_HTTP_SECRETS = `NOT_SET_ANYWHERE=${peer.url}`;
    const failure = await failureOf(request({ url: `${peer.url}/me`, secret_env: 'NOT_SET_ANYWHERE' }));
    expect(failure).toMatchObject({ type: 'ConfigError', nonRetryable: true });
    expect(failure.message).toMatch(/NOT_SET_ANYWHERE \(secret_env\) is not set on this worker/);
    expect(peer.requests).toHaveLength(0);
  });

  it('a credential goes only to an origin the worker maps it to; the definition cannot pick another', async () => {
    const localhost = `http://localhost:${new URL(peer.url).port}`;
    const other = await failureOf(request({ url: `${localhost}/me`, secret_env: 'PEER_TOKEN' }));
    expect(other).toMatchObject({ type: 'ConfigError', nonRetryable: true });
    expect(other.message).toBe(
      `http: this worker sends PEER_TOKEN only to ${peer.url}, not to ${localhost}; map it with SWITCHYARD_HTTP_SECRETS=PEER_TOKEN=${localhost}`,
    );
    // Any worker secret, e.g. a cloud key, named by a definition: mapped nowhere, sent nowhere.
    env.AWS_SECRET_ACCESS_KEY = 'aws-secret-value-123';
    const unmapped = await failureOf(request({ url: `${peer.url}/me`, secret_env: 'AWS_SECRET_ACCESS_KEY' }));
    expect(unmapped.message).toMatch(/sends AWS_SECRET_ACCESS_KEY to no host/);
    expect(unmapped.message).not.toContain('aws-secret-value-123');
    expect(peer.requests).toHaveLength(0);
    expect(() => checkWorkerSettings({ SWITCHYARD_HTTP_SECRETS: 'TOKEN=ftp://x' })).toThrow(
      /SWITCHYARD_HTTP_SECRETS: "TOKEN=ftp:\/\/x" is not ENV_NAME=https:\/\/host/,
    );
  });

  it('credentials cannot come from headers, and the input never takes a templated origin', () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ url: 'https://a.example/', headers: { Authorization: 'Bearer x' } }, /not settable here/],
      [{ url: 'https://a.example/', headers: { cookie: 'a=b' } }, /not settable here/],
      [{ url: 'https://a.example/', headers: { 'x-a': 'v\r\nx-b: injected' } }, /line breaks/],
      [{ url: 'https://a.example/', secret_env: 'K', secret_header: 'x-k', headers: { 'X-K': 'v' } }, /carries the secret/],
      [{ url: 'https://{{ input.host }}/x' }, /scheme and host are never rendered/],
      [{ url: 'ftp://a.example/' }, /./],
      [{ url: 'https://a.example/', method: 'GET', json: {} }, /GET sends no body/],
    ];
    for (const [w, message] of cases) {
      const parsed = httpInputSchema.safeParse(w);
      expect(parsed.success, JSON.stringify(w)).toBe(false);
      expect(parsed.error?.issues.map((i) => i.message).join('; '), JSON.stringify(w)).toMatch(message);
    }
  });

  // Tests connect to 127.0.0.1 only. Addresses elsewhere go only to the check the http
  // activity runs on the URL's literal address before any dispatcher exists (runHttp's first
  // step): guardedDispatcher throws synchronously, so no socket can open, whatever it decides.
  it('refuses private, link-local and unspecified address literals synchronously, before any socket, naming the class', () => {
    const cases: [string, RegExp][] = [
      ['http://10.0.0.8/api', /10\.0\.0\.8 is a private address.*SWITCHYARD_WEBHOOK_ALLOW_NETWORKS=private/],
      ['http://169.254.169.254/latest/meta-data', /169\.254\.169\.254 is a link-local address/],
      ['http://[fe80::1]/x', /fe80::1 is a link-local address/],
      ['http://0.0.0.0:9/x', /unspecified, multicast or broadcast/],
    ];
    for (const [url, message] of cases) {
      let thrown: unknown;
      try {
        guardedDispatcher(url, env, 'http');
      } catch (err) {
        thrown = err;
      }
      expect(thrown, url).toBeInstanceOf(ApplicationFailure);
      expect(thrown, url).toMatchObject({ type: 'AddressRefused', nonRetryable: true });
      expect((thrown as Error).message, url).toMatch(message);
    }
  });

  it('refuses loopback unless the worker allows it', async () => {
    env = {};
    const failure = await failureOf(request({ url: `${peer.url}/x` }));
    expect(failure.message).toMatch(/127\.0\.0\.1 is a loopback address/);
    expect(peer.requests).toHaveLength(0);
  });
});
