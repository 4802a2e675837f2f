/**
 * Reading a store file as the tick loaded it: JSON, retried leniently when a string holds raw
 * control characters (Python's `json.loads(strict=False)` accepts them, JSON.parse does not).
 */
import { StoreError } from './store.js';

/** `text` with every raw control character inside a string literal written as `\uXXXX`. */
export function escapeControlCharacters(text: string): string {
  let out = '';
  let inString = false;
  let escaped = false;
  for (const char of text) {
    const code = char.charCodeAt(0);
    if (inString && !escaped && code < 0x20) {
      out += `\\u${code.toString(16).padStart(4, '0')}`;
      continue;
    }
    out += char;
    if (escaped) escaped = false;
    else if (char === '\\' && inString) escaped = true;
    else if (char === '"') inString = !inString;
  }
  return out;
}

/** The store's JSON value; a StoreError saying where the text is not JSON. */
export function parseStoreText(text: string, file: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (strictError) {
    try {
      return JSON.parse(escapeControlCharacters(text)) as unknown;
    } catch {
      throw new StoreError([{ field: '', message: `${file} is not JSON: ${(strictError as Error).message}` }]);
    }
  }
}
