import { mkdtemp, readdir, readFile, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { Webhook } from 'standardwebhooks';
import { addressClass, guardedDispatcher } from '../../../src/activities/common/egress.js';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { deliverInputSchema, runDeliver, type DeliverContext } from '../../../src/activities/deliver.js';
import { deliveryIdFor } from '../../../src/activities/deliver/id.js';
import { splitMessage } from '../../../src/activities/deliver/split.js';
import type { TaskMeta } from '../../../src/activities/types.js';
import { startDiscordPeer, startSlackPeer, startTelegramPeer, type ChatPeer } from '../../peers/chat-platforms.js';
import type { Peer } from '../../peers/http-peer.js';
import { startWebhookPeer } from '../../peers/webhook.js';
import { checkWorkerSettings } from '../../../src/worker.js';
import { failureOf, recordingIO } from './helpers.js';

const SECRET = `whsec_${Buffer.from('a-32-byte-secret-for-the-peer!!!').toString('base64')}`;
const meta: TaskMeta = { workflowId: 'wf-1', runId: 'run-1', task: 'send', iteration: 1 };
let slack: ChatPeer, discord: ChatPeer, telegram: ChatPeer, hook: Peer;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  [slack, discord, telegram, hook] = await Promise.all([
    startSlackPeer(),
    startDiscordPeer(),
    startTelegramPeer(),
    startWebhookPeer(),
  ]);
});
afterAll(async () => {
  await Promise.all([slack, discord, telegram, hook].map((p) => p.close()));
});
beforeEach(() => {
  for (const p of [slack, discord, telegram, hook]) p.reset();
  for (const p of [slack, discord, telegram]) p.messages.length = 0;
  env = {
    SWITCHYARD_WEBHOOK_SECRET: SECRET,
    // The webhook peer listens on 127.0.0.1: an address class the worker must allow explicitly.
    SWITCHYARD_WEBHOOK_ALLOW_NETWORKS: 'loopback',
    SLACK_BOT_TOKEN: 'xoxb-peer',
    SWITCHYARD_SLACK_API_BASE: slack.url,
    DISCORD_BOT_TOKEN: 'discord-peer',
    SWITCHYARD_DISCORD_API_BASE: discord.url,
    TELEGRAM_BOT_TOKEN: '123:peer',
    SWITCHYARD_TELEGRAM_API_BASE: telegram.url,
  };
});

/** Runs one delivery attempt; returns the result promise and the recorded heartbeats. */
function attempt(w: Record<string, unknown>, opts: Partial<DeliverContext> = {}) {
  const io = recordingIO();
  const done = runDeliver(deliverInputSchema.parse(w), { ...io, meta, env, ...opts });
  return { done, io };
}

/** Paragraphs of about `n` characters in total. */
const longText = (n: number) =>
  Array.from({ length: Math.ceil(n / 100) }, (_, i) => `Paragraph ${i}: ${'lorem ipsum '.repeat(7)}`.slice(0, 98)).join('\n\n');

describe('deliver: ids and splitting', () => {
  it('the delivery id is stable per run, task, iteration and index', () => {
    expect(deliveryIdFor(meta)).toBe(deliveryIdFor({ ...meta }));
    expect(deliveryIdFor(meta)).toMatch(/^sy_[0-9a-f]{24}$/);
    const others = [
      { ...meta, iteration: 2 },
      { ...meta, index: 0 },
      { ...meta, runId: 'run-2' },
      { ...meta, task: 'other' },
    ].map(deliveryIdFor);
    expect(new Set([deliveryIdFor(meta), ...others]).size).toBe(5);
  });

  it('splits at paragraph boundaries under the limit and loses no words', () => {
    const text = longText(10_000);
    const parts = splitMessage(text, 4096);
    expect(parts.length).toBe(3);
    for (const p of parts) expect(p.length).toBeLessThanOrEqual(4096);
    expect(parts.every((p) => p.startsWith('Paragraph'))).toBe(true);
    expect(parts.join('\n\n')).toBe(text);
  });

  it('never cuts between the halves of a surrogate pair', () => {
    const parts = splitMessage('😀'.repeat(3000), 2001);
    for (const p of parts) {
      expect(p.length).toBeLessThanOrEqual(2001);
      expect(p).not.toMatch(/[\uD800-\uDBFF]$|^[\uDC00-\uDFFF]/);
    }
    expect(parts.join('')).toBe('😀'.repeat(3000));
  });

  it('reports every bad target with its path', () => {
    const res = deliverInputSchema.safeParse({ to: 'telegram:12345, pigeon:home, discord:abc', content: ' ' });
    expect(res.success).toBe(false);
    expect(res.error?.issues.map((i) => i.path.join('.'))).toEqual(['to.1', 'to.2', 'content']);
    expect(
      deliverInputSchema.parse({ to: 'webhook:http://h/x?a=1,2, file:out', content: { a: 1 } }).to.map((t) => t.raw),
    ).toEqual(['webhook:http://h/x?a=1,2', 'file:out']);
    expect(deliverInputSchema.parse({ to: 'file:out', content: { a: 1 } }).content).toBe('{\n  "a": 1\n}');
  });
});

describe('deliver: file outbox', () => {
  /** A fresh outbox root for the worker's environment; returns it. */
  async function outboxRoot(name: string): Promise<string> {
    const root = await mkdtemp(join(tmpdir(), `sy-${name}-`));
    env.SWITCHYARD_OUTBOX_ROOT = root;
    return root;
  }

  it('writes one complete file per delivery id and skips a second delivery with the same id', async () => {
    const dir = join(await outboxRoot('outbox'), 'outbox');
    const first = await attempt({ to: 'file:outbox', content: 'hello outbox', title: 'T' }).done;
    expect(first.targets[0]).toMatchObject({ status: 'delivered', parts: 1 });
    const second = await attempt({ to: 'file:outbox', content: 'changed content' }).done;
    expect(second.targets[0]?.status).toBe('duplicate-skipped');
    expect(await readdir(dir)).toEqual([`${first.deliveryId}.json`]);
    const stored = JSON.parse(await readFile(join(dir, `${first.deliveryId}.json`), 'utf8')) as Record<string, unknown>;
    expect(stored).toMatchObject({
      id: first.deliveryId,
      content: 'hello outbox',
      title: 'T',
      runId: 'run-1',
      task: 'send',
      iteration: 1,
    });
    const next = await attempt({ to: 'file:outbox', content: 'x' }, { meta: { ...meta, iteration: 2 } }).done;
    expect(next.targets[0]?.status).toBe('delivered');
    expect((await readdir(dir)).length).toBe(2);
  });

  it('racing attempts of one delivery leave exactly one file', async () => {
    const dir = join(await outboxRoot('race'), 'race');
    const results = await Promise.all(Array.from({ length: 8 }, () => attempt({ to: 'file:race', content: 'same' }).done));
    expect(results.filter((r) => r.targets[0]?.status === 'delivered').length).toBe(1);
    expect(await readdir(dir)).toHaveLength(1);
  });

  it('creates nested folders inside the outbox root, and reads a/../b as b', async () => {
    const root = await outboxRoot('nested');
    const nested = await attempt({ to: 'file:a/b/c', content: 'deep' }).done;
    expect(nested.targets[0]?.status).toBe('delivered');
    expect(await readdir(join(root, 'a', 'b', 'c'))).toEqual([`${nested.deliveryId}.json`]);
    const folded = await attempt({ to: 'file:x/../b', content: 'folded' }).done;
    expect(folded.targets[0]?.status).toBe('delivered');
    expect(await readdir(root)).toEqual(['a', 'b']);
  });

  it('refuses, for good, a folder outside the outbox root: absolute, .. or through a symbolic link (SPEC rule 15)', async () => {
    const outside = await mkdtemp(join(tmpdir(), 'sy-outside-'));
    const root = await outboxRoot('jail');
    await symlink(outside, join(root, 'escape'));
    for (const [to, why] of [
      [`file:${outside}`, 'an absolute path leaves the outbox'],
      ['file:../x', "'..' leaves the outbox"],
      ['file:a/../../x', "'..' leaves the outbox"],
      ['file:escape', 'is a symbolic link'],
      ['file:escape/deeper', 'is a symbolic link'],
    ] as const) {
      const failure = await failureOf(attempt({ to, content: 'payload' }).done);
      expect(failure).toMatchObject({ type: 'DeliveryRefused', nonRetryable: true });
      expect(failure.message).toContain(to);
      expect(failure.message).toContain(why);
    }
    // Nothing was created or written outside, nor beside the link.
    expect(await readdir(outside)).toEqual([]);
    expect(await readdir(root)).toEqual(['escape']);
  });
});

describe('deliver: webhook', () => {
  it('POSTs a JSON envelope signed per Standard Webhooks, verified by the standardwebhooks library', async () => {
    const r = await attempt({ to: `webhook:${hook.url}/hook`, content: 'signed!', title: 'Hi' }).done;
    const req = hook.requests[0];
    expect(req?.headers['webhook-id']).toBe(r.deliveryId);
    const payload = new Webhook(SECRET).verify(req?.body ?? '', req?.headers as Record<string, string>) as Record<
      string,
      unknown
    >;
    expect(payload).toMatchObject({ id: r.deliveryId, runId: 'run-1', task: 'send', content: 'signed!', title: 'Hi' });
    expect(() =>
      new Webhook(`whsec_${Buffer.from('another-secret-another-secret!!!').toString('base64')}`).verify(
        req?.body ?? '',
        req?.headers as Record<string, string>,
      ),
    ).toThrow();
    await attempt({ to: `webhook:${hook.url}/hook`, content: 'signed!' }).done;
    expect(hook.requests[1]?.headers['webhook-id']).toBe(r.deliveryId);
  });

  it('follows no redirect: a 307 or 302 fails for good, naming only the origin, and nothing reaches the other address', async () => {
    const elsewhere = await startWebhookPeer();
    try {
      for (const status of [307, 302]) {
        hook.script({ status, headers: { location: `${elsewhere.url}/steal?token=abc` }, body: '' });
        const failure = await failureOf(attempt({ to: `webhook:${hook.url}/hook`, content: 'signed payload' }).done);
        expect(failure).toMatchObject({ type: 'ClientError', nonRetryable: true });
        expect(failure.message).toContain(`HTTP ${status}, a redirect to ${new URL(elsewhere.url).origin}`);
        expect(failure.message).not.toContain('token=abc');
      }
      expect(elsewhere.requests).toHaveLength(0);
    } finally {
      await elsewhere.close();
    }
  });

  it('410 and other 4xx are final; 5xx is retryable; a missing secret is a config error', async () => {
    hook.script({ status: 410, body: 'gone' }, { status: 503, body: 'busy' });
    expect((await failureOf(attempt({ to: `webhook:${hook.url}/hook`, content: 'x' }).done)).nonRetryable).toBe(true);
    const busy = await failureOf(attempt({ to: `webhook:${hook.url}/hook`, content: 'x' }).done);
    expect(busy.nonRetryable).toBe(false);
    expect(busy.type).toBe('ServerError');
    env.SWITCHYARD_WEBHOOK_SECRET = undefined;
    expect((await failureOf(attempt({ to: `webhook:${hook.url}/hook`, content: 'x' }).done)).type).toBe('ConfigError');
  });

  it('a secret that is not well-formed base64 (whsec_!!!!) or decodes to nothing is a config error, before any request', async () => {
    for (const secret of ['whsec_!!!!', 'whsec_', 'not base64?']) {
      env.SWITCHYARD_WEBHOOK_SECRET = secret;
      const failure = await failureOf(attempt({ to: `webhook:${hook.url}/hook`, content: 'x' }).done);
      expect(failure).toMatchObject({ type: 'ConfigError', nonRetryable: true });
      expect(failure.message).toMatch(/webhook signing secret is (not base64|empty)/);
      expect(() => checkWorkerSettings({ SWITCHYARD_WEBHOOK_SECRET: secret })).toThrow(
        /SWITCHYARD_WEBHOOK_SECRET: the webhook signing secret/,
      );
    }
    expect(hook.requests).toHaveLength(0);
    expect(() => checkWorkerSettings({ SWITCHYARD_WEBHOOK_SECRET: SECRET })).not.toThrow();
  });
});

describe('deliver: webhook addresses', () => {
  // Tests connect to 127.0.0.1 only. Addresses elsewhere are given to the pure check that
  // runs on a URL's literal address before any dispatcher exists: guardedDispatcher throws
  // synchronously, so no socket can open. Only loopback goes through a whole delivery.
  it('refuses private, link-local and unspecified address literals synchronously, before any socket, naming the class', () => {
    const cases: [string, RegExp][] = [
      ['http://10.1.2.3/hook', /10\.1\.2\.3 is a private address.*SWITCHYARD_WEBHOOK_ALLOW_NETWORKS=private/],
      ['http://169.254.169.254/latest/meta-data', /169\.254\.169\.254 is a link-local address/],
      ['http://[fd00::1]/hook', /fd00::1 is a private address/],
      ['http://[::ffff:192.168.1.1]/hook', /is a private address/],
      ['http://0.0.0.0:9/hook', /unspecified, multicast or broadcast/],
    ];
    for (const [url, message] of cases) {
      let thrown: unknown;
      try {
        guardedDispatcher(url, {}, 'webhook');
      } catch (err) {
        thrown = err;
      }
      expect(thrown, url).toBeInstanceOf(ApplicationFailure);
      expect((thrown as ApplicationFailure).message, url).toMatch(message);
      expect((thrown as ApplicationFailure).nonRetryable, url).toBe(true);
    }
  });

  it('refuses loopback unless allowed, by address and by name (inside the DNS lookup), in a whole delivery', async () => {
    env.SWITCHYARD_WEBHOOK_ALLOW_NETWORKS = undefined;
    const cases: [string, RegExp][] = [
      [`${hook.url}/hook`, /127\.0\.0\.1 is a loopback address.*=loopback/],
      [`http://localhost:${new URL(hook.url).port}/hook`, /localhost resolves to (127\.0\.0\.1|::1), a loopback address/],
    ];
    for (const [url, message] of cases) {
      const failure = await failureOf(attempt({ to: `webhook:${url}`, content: 'x' }).done);
      expect(failure.message, url).toMatch(message);
      expect(failure.nonRetryable, url).toBe(true);
    }
    expect(hook.requests).toHaveLength(0);
  });

  it('an allowed class goes through, also by name; an unknown class is a worker setting error', async () => {
    env.SWITCHYARD_WEBHOOK_ALLOW_NETWORKS = 'loopback';
    const r = await attempt({ to: `webhook:http://localhost:${new URL(hook.url).port}/hook`, content: 'by name' }).done;
    expect(r.targets[0]).toMatchObject({ status: 'delivered' });
    expect(hook.requests).toHaveLength(1);
    expect(() => checkWorkerSettings({ SWITCHYARD_WEBHOOK_ALLOW_NETWORKS: 'loopback,intranet' })).toThrow(
      /SWITCHYARD_WEBHOOK_ALLOW_NETWORKS: unknown "intranet" \(use loopback, private, link-local\)/,
    );
    expect(() => checkWorkerSettings({ SWITCHYARD_WEBHOOK_ALLOW_NETWORKS: 'private, loopback' })).not.toThrow();
  });

  it('a target the interpreter kept as written (its route was templated) fails for good, naming the rule', () => {
    const parsed = deliverInputSchema.safeParse({ to: ['webhook:https://{{ input.host }}/hook'], content: 'x' });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.message).toMatch(
      /kept as written: a target's kind and a webhook's scheme and host are never rendered/,
    );
  });

  it('classifies addresses by range, including IPv4-mapped IPv6', () => {
    expect(addressClass('8.8.8.8')).toBeUndefined();
    expect(addressClass('2606:4700::1111')).toBeUndefined();
    expect(addressClass('172.31.255.255')).toBe('private');
    expect(addressClass('172.32.0.1')).toBeUndefined();
    expect(addressClass('100.64.0.1')).toBe('private');
    expect(addressClass('::ffff:127.0.0.1')).toBe('loopback');
    expect(addressClass('fe80::1')).toBe('link-local');
    expect(addressClass('224.0.0.1')).toBe('reserved');
  });
});

describe('deliver: chat platforms', () => {
  it('Telegram: sendMessage to the chat, split under 4,096 characters', async () => {
    const text = longText(10_000);
    const r = await attempt({ to: 'telegram:-100123', content: text }).done;
    expect(r.targets[0]).toMatchObject({ target: 'telegram:-100123', status: 'delivered', parts: 3 });
    expect(telegram.messages.map((m) => m.channel)).toEqual(['-100123', '-100123', '-100123']);
    expect(telegram.messages.every((m) => m.text.length <= 4096)).toBe(true);
    expect(telegram.messages.map((m) => m.text).join('\n\n')).toBe(text);
    expect(telegram.requests[0]?.path).toBe('/bot123:peer/sendMessage');
  });

  it('Discord: Bot auth, split under 2,000, a per-part nonce with enforce_nonce, so a resend is deduped', async () => {
    const text = longText(4_500);
    const r = await attempt({ to: 'discord:123456789012345678', content: text }).done;
    expect(r.targets[0]?.parts).toBe(3);
    expect(discord.messages.every((m) => m.text.length <= 2000)).toBe(true);
    const nonces = discord.messages.map((m) => m.body.nonce);
    expect(new Set(nonces).size).toBe(3);
    expect(discord.messages.every((m) => m.body.enforce_nonce === true && String(m.body.nonce).length <= 25)).toBe(true);
    expect(discord.requests[0]?.headers.authorization).toBe('Bot discord-peer');
    // A retry that lost its progress re-sends with the same nonces: Discord answers the existing messages.
    await attempt({ to: 'discord:123456789012345678', content: text }).done;
    expect(discord.requests.length).toBe(6);
    expect(discord.messages.length).toBe(3);
  });

  it('Slack: chat.postMessage with Bearer token and the delivery id in message metadata', async () => {
    const r = await attempt({ to: 'slack:#ops', content: 'hello slack', title: 'Daily' }).done;
    const m = slack.messages[0];
    expect(m?.channel).toBe('#ops');
    expect(m?.text).toBe('Daily\n\nhello slack');
    expect(m?.body.metadata).toEqual({
      event_type: 'switchyard_delivery',
      event_payload: { delivery_id: r.deliveryId, part: 0 },
    });
    expect(slack.requests[0]?.headers.authorization).toBe('Bearer xoxb-peer');
    expect(r.targets[0]?.detail).toMatch(/^ts /);
  });

  it('Slack ok:false — ratelimited retries, other errors are final', async () => {
    slack.script({ body: { ok: false, error: 'ratelimited' } }, { body: { ok: false, error: 'channel_not_found' } });
    const limited = await failureOf(attempt({ to: 'slack:#ops', content: 'x' }).done);
    expect(limited.nonRetryable).toBe(false);
    expect(limited.type).toBe('RateLimited');
    const missing = await failureOf(attempt({ to: 'slack:#ops', content: 'x' }).done);
    expect(missing.nonRetryable).toBe(true);
    expect(missing.message).toContain('channel_not_found');
  });

  it('Telegram 400 is final with its description; 429 retries after parameters.retry_after', async () => {
    telegram.script(
      { status: 400, body: { ok: false, error_code: 400, description: 'Bad Request: chat not found' } },
      {
        status: 429,
        body: { ok: false, error_code: 429, description: 'Too Many Requests: retry after 9', parameters: { retry_after: 9 } },
      },
    );
    const bad = await failureOf(attempt({ to: 'telegram:42', content: 'x' }).done);
    expect(bad.nonRetryable).toBe(true);
    expect(bad.message).toContain('chat not found');
    expect(bad.message).not.toContain('123:peer');
    const limited = await failureOf(attempt({ to: 'telegram:42', content: 'x' }).done);
    expect(limited.nonRetryable).toBe(false);
    expect(limited.nextRetryDelay).toBe(9000);
  });

  it('footer: opt-in visible id on every part', async () => {
    const r = await attempt({ to: 'telegram:42', content: longText(5_000), footer: true }).done;
    expect(telegram.messages.length).toBe(2);
    expect(telegram.messages[0]?.text.endsWith(`— ${r.deliveryId} (1/2)`)).toBe(true);
    expect(telegram.messages.every((m) => m.text.length <= 4096)).toBe(true);
    await attempt({ to: 'telegram:42', content: 'short' }, { meta: { ...meta, iteration: 9 } }).done;
    expect(telegram.messages[2]?.text).toBe('short');
  });
});

describe('deliver: resuming a retried delivery', () => {
  it('a retry skips the parts and targets an earlier attempt delivered, read from its heartbeat', async () => {
    const text = longText(10_000);
    telegram.script({ pass: true }, { pass: true }, { status: 502, body: 'bad gateway' });
    const first = attempt({ to: 'slack:#ops, telegram:42', content: text });
    const f = await failureOf(first.done);
    expect(f.nonRetryable).toBe(false);
    expect(f.message).toContain('already delivered: slack:#ops');
    const last = first.io.beats.at(-1);
    expect(slack.messages.length).toBe(1);

    const second = await attempt({ to: 'slack:#ops, telegram:42', content: text }, { previousHeartbeat: last }).done;
    expect(slack.messages.length).toBe(1);
    expect(second.targets.map((t) => t.parts)).toEqual([1, 3]);
    expect(telegram.requests.length).toBe(3 + 1);
    expect(JSON.parse(telegram.requests[3]?.body ?? '{}')).toMatchObject({
      chat_id: '42',
      text: expect.stringMatching(/^Paragraph/),
    });
  });
});
