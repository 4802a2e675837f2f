import { createHash } from 'node:crypto';

/** JSON with object keys sorted at every depth, so equal values always hash equally. */
export function canonicalJson(value: unknown): string {
  return (
    JSON.stringify(value, (_key, v: unknown) => {
      if (v && typeof v === 'object' && !Array.isArray(v)) {
        const src = v as Record<string, unknown>;
        return Object.fromEntries(
          Object.keys(src)
            .sort()
            .map((k) => [k, src[k]]),
        );
      }
      return v;
    }) ?? 'null'
  );
}

/** sha256 hex digest and UTF-8 byte size of a value's canonical JSON. */
export function digestOf(value: unknown): { digest: string; bytes: number } {
  const text = canonicalJson(value);
  return { digest: createHash('sha256').update(text).digest('hex'), bytes: Buffer.byteLength(text) };
}

/** UTF-8 byte size of a value's JSON (what Temporal's JSON converter will send). */
export function jsonBytes(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value) ?? 'null');
}
