/**
 * Splits a message into parts of at most `limit` UTF-16 code units (what Telegram, Discord and
 * Slack count, and never fewer than their code points). Cuts prefer a paragraph break, then a
 * line break, then a space, and never fall between the two halves of a surrogate pair.
 */
export function splitMessage(text: string, limit: number): string[] {
  if (limit < 2) throw new RangeError('split limit must be at least 2');
  const parts: string[] = [];
  let rest = text;
  while (rest.length > limit) {
    const window = rest.slice(0, limit + 1);
    let cut = -1;
    let skip = 0;
    for (const sep of ['\n\n', '\n', ' ']) {
      // The separator may sit just past the limit: it is dropped, not sent.
      const at = window.lastIndexOf(sep, limit);
      // A boundary that leaves a tiny part is worse than a hard cut nearer the limit.
      if (at >= limit * 0.3) {
        cut = at;
        skip = sep.length;
        break;
      }
    }
    if (cut < 0) {
      cut = limit;
      const code = rest.charCodeAt(cut - 1);
      if (code >= 0xd800 && code <= 0xdbff) cut -= 1;
    }
    parts.push(rest.slice(0, cut));
    rest = rest.slice(cut + skip);
  }
  if (rest.length > 0 || parts.length === 0) parts.push(rest);
  return parts;
}
