import { createHmac } from 'node:crypto';
import { nonRetryable } from '../common/failures.js';
import type { TargetDriver } from './driver.js';
import { envelopeFor } from './envelope.js';
import { postJson } from './post.js';

/**
 * Standard Webhooks signature: `v1,` + base64 HMAC-SHA256 over "id.timestamp.body", keyed with
 * the base64-decoded secret (a `whsec_` prefix is dropped first, as the reference libraries do).
 */
export function signWebhook(secret: string, id: string, timestampSeconds: number, body: string): string {
  const key = Buffer.from(secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : secret, 'base64');
  return `v1,${createHmac('sha256', key).update(`${id}.${timestampSeconds}.${body}`).digest('base64')}`;
}

/** `webhook:URL` — one signed JSON POST; webhook-id is the delivery id, so receivers can dedupe retries. */
export const deliverWebhook: TargetDriver = async (url, job, progress, onPart) => {
  if (progress.done > 0) return { status: 'delivered', parts: 1, details: progress.details };
  const secret = job.env[job.secretEnv];
  if (!secret)
    throw nonRetryable(
      'ConfigError',
      `webhook: environment variable ${job.secretEnv} (the signing secret) is not set on this worker`,
    );
  const body = JSON.stringify(envelopeFor(job));
  const timestamp = Math.floor(Date.now() / 1000);
  const { status } = await postJson(
    url,
    body,
    {
      'webhook-id': job.deliveryId,
      'webhook-timestamp': String(timestamp),
      'webhook-signature': signWebhook(secret, job.deliveryId, timestamp, body),
    },
    job,
    'webhook',
  );
  progress.details.push(`HTTP ${status}`);
  progress.done = 1;
  onPart();
  return { status: 'delivered', parts: 1, details: progress.details };
};
