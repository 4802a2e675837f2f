/**
 * SPEC §4 `email:` deliveries over real sockets to a real SMTP server on 127.0.0.1: the
 * Message-ID comes from the delivery id, a retry after success sends nothing, and failures
 * are classified as a mail server means them — 5xx permanent, 4xx and a refused connection
 * transient — with the SMTP password never in the failure text.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApplicationFailure } from '@temporalio/common';
import { deliverInputSchema, runDeliver, type DeliverContext } from '../../src/activities/deliver.js';
import { deliveryIdFor } from '../../src/activities/deliver/id.js';
import type { TaskMeta } from '../../src/activities/types.js';
import { startSmtpPeer, type SmtpPeer } from '../peers/smtp.js';

const FROM = 'switchyard@example.com';

describe('email: deliveries against a real SMTP server', () => {
  let smtp: SmtpPeer;
  beforeAll(async () => {
    smtp = await startSmtpPeer();
  });
  afterAll(async () => smtp.close());

  const meta = (): TaskMeta => ({ workflowId: 'wf', runId: randomUUID(), task: 'send', iteration: 1 });
  function send(
    to: string,
    env: NodeJS.ProcessEnv,
    extra: Partial<DeliverContext> & { meta?: TaskMeta } = {},
  ): Promise<Awaited<ReturnType<typeof runDeliver>>> {
    const beats: unknown[] = [];
    return runDeliver(
      deliverInputSchema.parse({ to: `email:${to}`, content: 'Queue depth doubled.\nSee the dashboard.', title: 'Queue report' }),
      {
        signal: new AbortController().signal,
        heartbeat: (d) => beats.push(d),
        meta: extra.meta ?? meta(),
        env,
        ...extra,
      },
    );
  }
  async function failure(p: Promise<unknown>): Promise<ApplicationFailure> {
    const err = await p.then(
      () => undefined,
      (e: unknown) => e,
    );
    if (!(err instanceof ApplicationFailure)) throw new Error(`expected an ApplicationFailure, got ${String(err)}`);
    return err;
  }

  it('sends one message whose Message-ID is derived from the delivery id; a retry with its progress sends nothing', async () => {
    const env = { SWITCHYARD_SMTP_URL: smtp.url, SWITCHYARD_SMTP_FROM: FROM };
    const m = meta();
    const before = smtp.mails.length;
    const beats: unknown[] = [];
    const first = await send('ops@example.com', env, { meta: m, heartbeat: (d) => beats.push(d) });
    expect(first.targets).toMatchObject([{ target: 'email:ops@example.com', status: 'delivered', parts: 1 }]);
    const mails = smtp.mails.slice(before);
    expect(mails).toHaveLength(1);
    expect(mails[0]).toMatchObject({ from: FROM, to: ['ops@example.com'], subject: 'Queue report' });
    expect(mails[0]?.text.trim()).toBe('Queue depth doubled.\nSee the dashboard.');
    expect(mails[0]?.messageId).toBe(`<${deliveryIdFor(m)}@example.com>`);
    expect(mails[0]?.headers.get('x-switchyard-delivery')).toBe(deliveryIdFor(m));

    // The next attempt of the same task execution reads the last heartbeat: nothing is re-sent.
    await send('ops@example.com', env, { meta: m, previousHeartbeat: beats.at(-1) });
    expect(smtp.mails.length).toBe(before + 1);
  });

  it('a 5xx refusal fails for good; a 4xx deferral is retried', async () => {
    const env = { SWITCHYARD_SMTP_URL: smtp.url, SWITCHYARD_SMTP_FROM: FROM };
    smtp.refuseNext(1, 550, '5.1.1 mailbox unavailable');
    const refused = await failure(send('nobody@example.com', env));
    expect(refused.nonRetryable).toBe(true);
    expect(refused.message).toContain('550');
    smtp.refuseNext(1, 451, '4.3.0 try again later');
    const deferred = await failure(send('ops@example.com', env));
    expect(deferred.nonRetryable).toBe(false);
    expect(deferred.message).toContain('451');
  });

  it('a refused connection is retried', async () => {
    const closed = await startSmtpPeer();
    await closed.close();
    const f = await failure(send('ops@example.com', { SWITCHYARD_SMTP_URL: closed.url, SWITCHYARD_SMTP_FROM: FROM }));
    expect(f.nonRetryable).toBe(false);
  });

  it('a rejected login fails for good without the password in the message', async () => {
    const password = `pw-${randomUUID()}`;
    const url = `smtp://mailer:${password}@127.0.0.1:${smtp.port}`;
    const f = await failure(send('ops@example.com', { SWITCHYARD_SMTP_URL: url, SWITCHYARD_SMTP_FROM: FROM }));
    expect(f.nonRetryable).toBe(true);
    expect(f.message).toContain('535');
    expect(f.message).not.toContain(password);
  });

  it('missing settings are a configuration error, not retried', async () => {
    const f = await failure(send('ops@example.com', { SWITCHYARD_SMTP_FROM: FROM }));
    expect(f).toMatchObject({ nonRetryable: true, type: 'ConfigError' });
    expect(f.message).toContain('SWITCHYARD_SMTP_URL');
  });
});
