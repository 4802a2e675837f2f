import { createHmac } from 'node:crypto';
import { guardedDispatcher } from '../common/egress.js';
import { nonRetryable } from '../common/failures.js';
import type { TargetDriver } from './driver.js';
import { envelopeFor } from './envelope.js';
import { postJson } from './post.js';

/**
 * Standard Webhooks signature: `v1,` + base64 HMAC-SHA256 over "id.timestamp.body", keyed with
 * the base64-decoded secret ({@link webhookKey}).
 */
export function signWebhook(key: Buffer, id: string, timestampSeconds: number, body: string): string {
  return `v1,${createHmac('sha256', key).update(`${id}.${timestampSeconds}.${body}`).digest('base64')}`;
}

/**
 * The HMAC key of a Standard Webhooks secret (a `whsec_` prefix is dropped first, as the
 * reference libraries do), or why it is not one. Buffer.from(…, 'base64')
 * skips characters it does not know, so `whsec_!!!!` would sign with an empty key; like the
 * reference library, refuse anything but non-empty, well-formed base64.
 */
export function webhookKey(secret: string): Buffer | string {
  const encoded = secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : secret;
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(encoded) || encoded.length % 4 !== 0) {
    return 'the webhook signing secret is not base64 (after an optional whsec_ prefix)';
  }
  const key = Buffer.from(encoded, 'base64');
  return key.length === 0 ? 'the webhook signing secret is empty' : key;
}

/** `webhook:URL` — one signed JSON POST; webhook-id is the delivery id, so receivers can dedupe retries. */
export const deliverWebhook: TargetDriver = async (url, job, progress, onPart) => {
  if (progress.done > 0) return { status: 'delivered', parts: 1, details: progress.details };
  // Before the secret is even read: a refused address gets nothing, signed or not.
  const dispatcher = guardedDispatcher(url, job.env, 'webhook');
  const secret = job.env[job.secretEnv];
  if (!secret)
    throw nonRetryable(
      'ConfigError',
      `webhook: environment variable ${job.secretEnv} (the signing secret) is not set on this worker`,
    );
  const key = webhookKey(secret);
  if (typeof key === 'string') throw nonRetryable('ConfigError', `webhook: ${key} (environment variable ${job.secretEnv})`);
  const body = JSON.stringify(envelopeFor(job));
  const timestamp = Math.floor(Date.now() / 1000);
  const { status } = await postJson(
    url,
    body,
    {
      'webhook-id': job.deliveryId,
      'webhook-timestamp': String(timestamp),
      'webhook-signature': signWebhook(key, job.deliveryId, timestamp, body),
    },
    job,
    'webhook',
    undefined,
    dispatcher,
  );
  progress.details.push(`HTTP ${status}`);
  progress.done = 1;
  onPart();
  return { status: 'delivered', parts: 1, details: progress.details };
};
