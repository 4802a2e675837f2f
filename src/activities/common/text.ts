/** Drops a trailing UTF-8 sequence that was cut short (so it does not decode as U+FFFD). */
export function utf8Complete(buf: Buffer): Buffer {
  // Find the lead byte of the last character (at most 3 continuation bytes back).
  let lead = buf.length - 1;
  while (lead > 0 && lead > buf.length - 4 && ((buf[lead] ?? 0) & 0xc0) === 0x80) lead--;
  const b = buf[lead] ?? 0;
  const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
  return buf.length - lead < need ? buf.subarray(0, lead) : buf;
}

/** Decodes at most `max` bytes from the start of `buf`, never ending inside a UTF-8 sequence. */
export function utf8Head(buf: Buffer, max: number): string {
  if (buf.length <= max) return buf.toString('utf8');
  return utf8Complete(buf.subarray(0, max)).toString('utf8');
}

/** Decodes at most `max` bytes from the end of `buf`, never starting inside a UTF-8 sequence. */
export function utf8Tail(buf: Buffer, max: number): string {
  if (buf.length <= max) return buf.toString('utf8');
  let start = buf.length - max;
  while (start < buf.length && ((buf[start] ?? 0) & 0xc0) === 0x80) start++;
  return buf.subarray(start).toString('utf8');
}

/** Cuts a string to at most `max` UTF-8 bytes (head kept); `cut` says whether anything was lost. */
export function capUtf8(text: string, max: number): { text: string; cut: boolean } {
  const buf = Buffer.from(text, 'utf8');
  return buf.length <= max ? { text, cut: false } : { text: utf8Head(buf, max), cut: true };
}

/** Shortens a message for an error text, marking the cut. */
export function clip(text: string, max = 500): string {
  return text.length <= max ? text : `${text.slice(0, max)}… (${text.length - max} more chars)`;
}
