/**
 * `email:ADDRESS` — one message over SMTP (nodemailer), with settings from the worker's
 * environment: SWITCHYARD_SMTP_URL (`smtp://user:pass@host:587`, `smtps://…:465`), or
 * SWITCHYARD_SMTP_HOST / _PORT / _USER / _PASSWORD / _SECURE; SWITCHYARD_SMTP_FROM is the
 * sender. Nothing of it comes from the definition or the run.
 *
 * Dedupe: SMTP has no idempotency key. The message's Message-ID is derived from the delivery
 * id, so every retry of one task execution sends the *same* Message-ID; a retry after the
 * server accepted the message but before the attempt recorded it (a lost reply, a worker
 * crash) can send a second copy, which mail stores and clients recognise by that Message-ID
 * (and the X-Switchyard-Delivery header). Once the server accepted it, the heartbeat records
 * it and later attempts skip it.
 *
 * Failures: a 5xx reply is permanent (no retry); a 4xx reply, a refused or dropped connection
 * and a timeout are transient (retried).
 */
import nodemailer from 'nodemailer';
import { cancelled, nonRetryable, retryable } from '../common/failures.js';
import { redact } from '../common/secrets.js';
import { EMAIL_ADDRESS } from '../inputs.js';
import type { DeliveryJob, TargetDriver } from './driver.js';

/** Connection codes nodemailer reports for a network fault another attempt may not meet. */
const TRANSIENT_CODES = new Set(['ECONNECTION', 'ETIMEDOUT', 'ESOCKET', 'EDNS', 'ECONNREFUSED', 'ECONNRESET', 'EPIPE']);

interface SmtpSettings {
  transport: string | Record<string, unknown>;
  from: string;
  /** Values to redact from failure text (the URL and its password). */
  secrets: string[];
}

/** The SMTP settings of the worker, or a ConfigError naming what is missing. */
export function smtpSettings(env: NodeJS.ProcessEnv, timeoutMs: number): SmtpSettings {
  const from = env.SWITCHYARD_SMTP_FROM;
  if (!from || !EMAIL_ADDRESS.test(from.replace(/^.*<(.+)>\s*$/, '$1')))
    throw nonRetryable('ConfigError', 'email: SWITCHYARD_SMTP_FROM (the sender address) is not set on this worker');
  const timeouts = { connectionTimeout: timeoutMs, greetingTimeout: timeoutMs, socketTimeout: timeoutMs };
  const url = env.SWITCHYARD_SMTP_URL;
  if (url) {
    if (!/^smtps?:\/\//.test(url) || !URL.canParse(url))
      throw nonRetryable('ConfigError', 'email: SWITCHYARD_SMTP_URL is not an smtp:// or smtps:// URL');
    const password = decodeURIComponent(new URL(url).password);
    const parsed = new URL(url);
    return {
      transport: {
        host: parsed.hostname,
        port: parsed.port ? Number(parsed.port) : parsed.protocol === 'smtps:' ? 465 : 587,
        secure: parsed.protocol === 'smtps:',
        ...(parsed.username ? { auth: { user: decodeURIComponent(parsed.username), pass: password } } : {}),
        ...timeouts,
      },
      from,
      secrets: [url, password].filter((s) => s.length >= 6),
    };
  }
  const host = env.SWITCHYARD_SMTP_HOST;
  if (!host)
    throw nonRetryable('ConfigError', 'email: neither SWITCHYARD_SMTP_URL nor SWITCHYARD_SMTP_HOST is set on this worker');
  const secure = env.SWITCHYARD_SMTP_SECURE === 'true';
  const port = env.SWITCHYARD_SMTP_PORT ? Number(env.SWITCHYARD_SMTP_PORT) : secure ? 465 : 587;
  if (!Number.isInteger(port) || port <= 0) throw nonRetryable('ConfigError', 'email: SWITCHYARD_SMTP_PORT is not a port number');
  const user = env.SWITCHYARD_SMTP_USER;
  const pass = env.SWITCHYARD_SMTP_PASSWORD ?? '';
  return {
    transport: { host, port, secure, ...(user ? { auth: { user, pass } } : {}), ...timeouts },
    from,
    secrets: [pass].filter((s) => s.length >= 6),
  };
}

/** `<sy_…@domain>`: the Message-ID of a delivery, the same on every retry. */
export function messageIdFor(deliveryId: string, from: string): string {
  const domain = /@([^\s@<>]+)>?\s*$/.exec(from)?.[1] ?? 'switchyard.invalid';
  return `<${deliveryId}@${domain}>`;
}

/** The subject line: the delivery's title, else the first line of its content, shortened. */
function subjectOf(job: Pick<DeliveryJob, 'title' | 'content'>): string {
  const first = (job.title ?? job.content.split('\n').find((line) => line.trim() !== '') ?? 'Switchyard delivery').trim();
  return first.length > 120 ? `${first.slice(0, 117)}...` : first;
}

/** Maps a nodemailer error to the failure the retry policy should see (5xx final; 4xx and network faults transient). */
function smtpFailure(err: unknown, secrets: readonly string[]): Error {
  const e = err as { responseCode?: unknown; code?: unknown; message?: unknown };
  const message = redact(`SMTP: ${typeof e.message === 'string' ? e.message : String(err)}`, secrets);
  const status = typeof e.responseCode === 'number' ? e.responseCode : undefined;
  if (status !== undefined && status >= 500) return nonRetryable('ClientError', message);
  if (status !== undefined && status >= 400) return retryable('ServerError', message);
  if (typeof e.code === 'string' && TRANSIENT_CODES.has(e.code)) return retryable('NetworkError', message);
  // EAUTH without a code, EENVELOPE (a refused address), EMESSAGE: no retry can fix them.
  if (typeof e.code === 'string' && ['EAUTH', 'EENVELOPE', 'EMESSAGE'].includes(e.code))
    return nonRetryable('ClientError', message);
  return retryable('DeliveryFailed', message);
}

export const deliverEmail: TargetDriver = async (address, job, progress, onPart) => {
  if (progress.done > 0) return { status: 'delivered', parts: 1, details: progress.details };
  const settings = smtpSettings(job.env, job.timeoutMs);
  if (job.signal.aborted) throw cancelled('email delivery');
  const transport = nodemailer.createTransport(settings.transport as Parameters<typeof nodemailer.createTransport>[0]);
  const onAbort = () => transport.close();
  job.signal.addEventListener('abort', onAbort, { once: true });
  try {
    const info = (await transport.sendMail({
      from: settings.from,
      to: address,
      subject: subjectOf(job),
      text: job.content,
      messageId: messageIdFor(job.deliveryId, settings.from),
      headers: { 'X-Switchyard-Delivery': job.deliveryId },
    })) as { messageId?: string; response?: string };
    progress.details.push(`${info.messageId ?? ''} ${(info.response ?? '').slice(0, 80)}`.trim());
    progress.done = 1;
    onPart();
    return { status: 'delivered', parts: 1, details: progress.details };
  } catch (err) {
    if (job.signal.aborted) throw cancelled('email delivery');
    throw smtpFailure(err, settings.secrets);
  } finally {
    job.signal.removeEventListener('abort', onAbort);
    transport.close();
  }
};
