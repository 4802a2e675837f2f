import { nonRetryable } from '../common/failures.js';
import { chatParts, sendParts } from './chat.js';
import type { TargetDriver } from './driver.js';
import { postJson, tokenFrom } from './post.js';

/** Telegram's sendMessage limit, in UTF-16 code units. */
export const TELEGRAM_LIMIT = 4096;

/**
 * `telegram:CHAT_ID[:THREAD]` — Bot API sendMessage, into a forum topic when THREAD is given.
 * Telegram cannot dedupe; the id is in the receipt (or the opt-in footer).
 */
export const deliverTelegram: TargetDriver = async (address, job, progress, onPart) => {
  const [chatId, thread] = address.split(':');
  const token = tokenFrom(job.env, 'TELEGRAM_BOT_TOKEN', 'Telegram');
  const base = (job.env.SWITCHYARD_TELEGRAM_API_BASE || 'https://api.telegram.org').replace(/\/+$/, '');
  return sendParts(chatParts(job, TELEGRAM_LIMIT), progress, onPart, async (text) => {
    const { json } = await postJson(
      `${base}/bot${token}/sendMessage`,
      JSON.stringify({
        chat_id: chatId,
        text,
        link_preview_options: { is_disabled: true },
        ...(thread ? { message_thread_id: Number(thread) } : {}),
      }),
      {},
      job,
      'Telegram',
      (body) => {
        const after = (body?.parameters as { retry_after?: unknown } | undefined)?.retry_after;
        return typeof after === 'number' ? after * 1000 : undefined;
      },
    );
    const id = (json?.result as { message_id?: unknown } | undefined)?.message_id;
    if (json?.ok !== true || id === undefined)
      throw nonRetryable(
        'ClientError',
        `Telegram answered without ok/result: ${(JSON.stringify(json) ?? '(no JSON body)').slice(0, 200)}`,
      );
    return `message_id ${String(id)}`;
  });
};
