/**
 * Slack-, Discord- and Telegram-shaped peers. They check what the real APIs check that our
 * code depends on (auth header, length limits, Discord nonce dedupe) and record every call.
 */
import { startPeer, type Peer, type RecordedRequest } from './http-peer.js';

/** A posted chat message as a peer stored it. */
export interface PostedMessage {
  channel: string;
  text: string;
  id: string;
  body: Record<string, unknown>;
}

/** A chat peer: the generic Peer plus the messages it accepted. */
export interface ChatPeer extends Peer {
  messages: PostedMessage[];
}

const body = (req: RecordedRequest) => (req.json ?? {}) as Record<string, unknown>;

/** Slack Web API: POST /chat.postMessage with a Bearer token; answers 200 {ok,...} like Slack. */
export async function startSlackPeer(token = 'xoxb-peer'): Promise<ChatPeer> {
  const messages: PostedMessage[] = [];
  const peer = await startPeer((req) => {
    if (req.path !== '/chat.postMessage') return { body: { ok: false, error: 'unknown_method' } };
    if (req.headers.authorization !== `Bearer ${token}`) return { body: { ok: false, error: 'invalid_auth' } };
    const b = body(req);
    if (typeof b.text !== 'string' || b.text.length > 40_000) return { body: { ok: false, error: 'msg_too_long' } };
    const ts = `${1700000000 + messages.length}.000100`;
    messages.push({ channel: String(b.channel), text: b.text, id: ts, body: b });
    return { body: { ok: true, channel: b.channel, ts } };
  });
  return Object.assign(peer, { messages });
}

/** Discord REST: POST /channels/{id}/messages with `Bot` auth; enforces 2,000 chars and nonce dedupe. */
export async function startDiscordPeer(token = 'discord-peer'): Promise<ChatPeer> {
  const messages: PostedMessage[] = [];
  const peer = await startPeer((req) => {
    const m = /^\/channels\/(\d+)\/messages$/.exec(req.path);
    if (!m) return { status: 404, body: { message: '404: Not Found', code: 0 } };
    if (req.headers.authorization !== `Bot ${token}`) return { status: 401, body: { message: '401: Unauthorized', code: 0 } };
    const b = body(req);
    const content = typeof b.content === 'string' ? b.content : '';
    if (content.length > 2000) return { status: 400, body: { message: 'Invalid Form Body', code: 50035 } };
    const same = b.enforce_nonce ? messages.find((x) => x.body.nonce === b.nonce && x.channel === m[1]) : undefined;
    if (same) return { body: { id: same.id, channel_id: m[1], content: same.text, nonce: b.nonce } };
    const id = String(1_000_000_000_000_000 + messages.length);
    messages.push({ channel: m[1] ?? '', text: content, id, body: b });
    return { body: { id, channel_id: m[1], content, nonce: b.nonce } };
  });
  return Object.assign(peer, { messages });
}

/** Telegram Bot API: POST /bot{token}/sendMessage; enforces 4,096 chars like Telegram. */
export async function startTelegramPeer(token = '123:peer'): Promise<ChatPeer> {
  const messages: PostedMessage[] = [];
  const peer = await startPeer((req) => {
    if (req.path !== `/bot${token}/sendMessage`)
      return { status: 404, body: { ok: false, error_code: 404, description: 'Not Found' } };
    const b = body(req);
    const text = typeof b.text === 'string' ? b.text : '';
    if (text.length === 0)
      return { status: 400, body: { ok: false, error_code: 400, description: 'Bad Request: message text is empty' } };
    if (text.length > 4096)
      return { status: 400, body: { ok: false, error_code: 400, description: 'Bad Request: message is too long' } };
    const id = String(messages.length + 1);
    messages.push({ channel: String(b.chat_id), text, id, body: b });
    return { body: { ok: true, result: { message_id: Number(id), chat: { id: b.chat_id }, text } } };
  });
  return Object.assign(peer, { messages });
}
