/** The payload budget's measure (SPEC §3 rule 16): exact UTF-8 bytes of the JSON the payload converter sends. */
import { describe, expect, it } from 'vitest';
import {
  jsonSize,
  largestPart,
  overLimitText,
  oversize,
  PAYLOAD_BUDGET_BYTES,
  PAYLOAD_LIMIT_BYTES,
  sizeText,
  utf8Length,
} from '../../src/payloads.js';

const encoded = (value: unknown): number => new TextEncoder().encode(JSON.stringify(value)).byteLength;

describe('utf8Length', () => {
  it('agrees with TextEncoder on ASCII, 2-, 3- and 4-byte characters and escapes', () => {
    for (const text of ['', 'plain', 'é', 'naïve café', '€uro', '日本語', '😀 emoji', 'a\u0001b\n"q"\\', '𝄞𝄞é€']) {
      expect(utf8Length(JSON.stringify(text))).toBe(encoded(text));
      expect(utf8Length(text)).toBe(new TextEncoder().encode(text).byteLength);
    }
  });

  it('counts a lone surrogate as the 3 bytes TextEncoder writes for it', () => {
    expect(utf8Length('\ud800')).toBe(new TextEncoder().encode('\ud800').byteLength);
    expect(utf8Length('a\udc00b')).toBe(new TextEncoder().encode('a\udc00b').byteLength);
    // JSON text escapes it, as the payload converter sends it.
    expect(utf8Length(JSON.stringify('\ud800'))).toBe(encoded('\ud800'));
  });
});

describe('jsonSize and oversize', () => {
  const value = { prompt: 'é'.repeat(1000), list: [1, true, null, { k: '😀' }], skipped: undefined };

  it('measure the JSON the default payload converter encodes (undefined members dropped)', () => {
    expect(jsonSize(value)).toBe(encoded(value));
    expect(jsonSize(undefined)).toBe(0);
  });

  it('say nothing for a value within the budget, the exact size for one over it', () => {
    expect(oversize(value)).toBeUndefined();
    expect(oversize(value, jsonSize(value))).toBeUndefined();
    expect(oversize(value, jsonSize(value) - 1)).toBe(encoded(value));
    expect(oversize(undefined, 0)).toBeUndefined();
  });

  it('decides by exact bytes where the text length cannot: multi-byte text near the budget', () => {
    // 700,000 'é' are 700,002 UTF-16 units of JSON but 1,400,002 bytes: the cheap bound (3 per unit) is over the budget.
    const text = 'é'.repeat(700_000);
    expect(oversize(text)).toBeUndefined();
    const big = 'é'.repeat(PAYLOAD_BUDGET_BYTES / 2);
    expect(oversize(big)).toBe(PAYLOAD_BUDGET_BYTES + 2);
    // ASCII just at and just over the budget (the quotes count).
    expect(oversize('a'.repeat(PAYLOAD_BUDGET_BYTES - 2))).toBeUndefined();
    expect(oversize('a'.repeat(PAYLOAD_BUDGET_BYTES - 1))).toBe(PAYLOAD_BUDGET_BYTES + 1);
    // Control characters are escaped as \u0001: six bytes each.
    expect(oversize('\u0001'.repeat(400_000))).toBe(2_400_002);
  });

  it('keeps a margin for the envelope under the server limit', () => {
    expect(PAYLOAD_LIMIT_BYTES).toBe(2 * 1024 * 1024);
    expect(PAYLOAD_BUDGET_BYTES).toBeLessThan(PAYLOAD_LIMIT_BYTES);
    expect(PAYLOAD_BUDGET_BYTES).toBeGreaterThan(PAYLOAD_LIMIT_BYTES - 64 * 1024);
  });
});

describe('messages', () => {
  it('sizeText reads as people write sizes', () => {
    expect(sizeText(512)).toBe('512 B');
    expect(sizeText(128 * 1024)).toBe('128 KiB');
    expect(sizeText(200_000)).toBe('195.3 KiB');
    expect(sizeText(2 * 1024 * 1024)).toBe('2 MiB');
    expect(sizeText(Math.round(2.4 * 1024 * 1024))).toBe('2.4 MiB');
  });

  it('largestPart follows the member that holds most of the value', () => {
    const big = 'x'.repeat(10_000);
    expect(largestPart({ small: 1, news: { body: big, title: 't' } }, 'ctx')).toEqual({
      path: 'ctx.news.body',
      bytes: big.length + 2,
    });
    expect(largestPart({ items: ['a', big] }, 'output').path).toBe('output.items[1]');
    expect(largestPart({ big }, '').path).toBe('big');
    // No member holds more than half: the value itself.
    expect(largestPart({ a: big, b: big }, 'with').path).toBe('with');
  });

  it('overLimitText names what, how big, the limit and where the bulk sits', () => {
    const prompt = 'x'.repeat(2_500_000);
    const bytes = jsonSize({ prompt });
    expect(overLimitText('input', bytes, { prompt }, 'with')).toBe(
      `input is 2.4 MiB (${bytes} bytes), over the 2 MiB payload limit; most of it is with.prompt (2.4 MiB)`,
    );
    expect(overLimitText('input', 3 * 1024 * 1024)).toBe('input is 3 MiB (3145728 bytes), over the 2 MiB payload limit');
  });
});
