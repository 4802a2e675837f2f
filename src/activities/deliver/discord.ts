import { nonRetryable } from '../common/failures.js';
import { chatParts, sendParts } from './chat.js';
import type { TargetDriver } from './driver.js';
import { partNonce } from './id.js';
import { postJson, tokenFrom } from './post.js';

/** Discord's message content limit. */
export const DISCORD_LIMIT = 2000;

/**
 * `discord:CHANNEL_ID` — create message. Each part carries a nonce derived from the delivery id
 * with enforce_nonce, so Discord returns the existing message instead of posting a retry twice.
 */
export const deliverDiscord: TargetDriver = async (channelId, job, progress, onPart) => {
  const token = tokenFrom(job.env, 'DISCORD_BOT_TOKEN', 'Discord');
  const base = (job.env.SWITCHYARD_DISCORD_API_BASE || 'https://discord.com/api/v10').replace(/\/+$/, '');
  return sendParts(chatParts(job, DISCORD_LIMIT), progress, onPart, async (content, index) => {
    const { json } = await postJson(
      `${base}/channels/${encodeURIComponent(channelId)}/messages`,
      // No mentions: agent text must not be able to ping @everyone.
      JSON.stringify({ content, nonce: partNonce(job.deliveryId, index), enforce_nonce: true, allowed_mentions: { parse: [] } }),
      { authorization: `Bot ${token}` },
      job,
      'Discord',
      (body) => (typeof body?.retry_after === 'number' ? Math.ceil(body.retry_after * 1000) : undefined),
    );
    if (typeof json?.id !== 'string')
      throw nonRetryable(
        'ClientError',
        `Discord answered without a message id: ${(JSON.stringify(json) ?? '(no JSON body)').slice(0, 200)}`,
      );
    return `message ${json.id}`;
  });
};
