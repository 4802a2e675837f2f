import { nonRetryable, retryable } from '../common/failures.js';
import { chatParts, sendParts } from './chat.js';
import type { TargetDriver } from './driver.js';
import { postJson, tokenFrom } from './post.js';

/** Slack truncates text beyond 40,000 characters. */
export const SLACK_LIMIT = 40_000;
/** Slack `error` codes that a later attempt may not hit. */
const TRANSIENT = new Set(['ratelimited', 'internal_error', 'fatal_error', 'service_unavailable', 'request_timeout']);

/**
 * `slack:CHANNEL[:THREAD_TS]` — chat.postMessage, as a thread reply when THREAD_TS is given. Slack cannot dedupe, so each message carries the delivery
 * id in its (invisible) message metadata, where duplicates can be recognised.
 */
export const deliverSlack: TargetDriver = async (address, job, progress, onPart) => {
  const [channel, thread] = address.split(':');
  const token = tokenFrom(job.env, 'SLACK_BOT_TOKEN', 'Slack');
  const base = (job.env.SWITCHYARD_SLACK_API_BASE || 'https://slack.com/api').replace(/\/+$/, '');
  return sendParts(chatParts(job, SLACK_LIMIT), progress, onPart, async (text, index) => {
    const body = {
      channel,
      ...(thread ? { thread_ts: thread } : {}),
      text,
      unfurl_links: false,
      unfurl_media: false,
      metadata: { event_type: 'switchyard_delivery', event_payload: { delivery_id: job.deliveryId, part: index } },
    };
    const { json } = await postJson(
      `${base}/chat.postMessage`,
      JSON.stringify(body),
      { authorization: `Bearer ${token}` },
      job,
      'Slack',
    );
    // Slack reports most failures as HTTP 200 with ok:false.
    if (json?.ok !== true) {
      const code = typeof json?.error === 'string' ? json.error : 'unknown_error';
      const message = `Slack chat.postMessage failed: ${code}`;
      if (TRANSIENT.has(code)) throw retryable(code === 'ratelimited' ? 'RateLimited' : 'ServerError', message);
      throw nonRetryable('ClientError', message);
    }
    return `ts ${String(json.ts)}`;
  });
};
