/**
 * The payload budget (SPEC §3 rule 16): how big a value may be when it leaves the workflow
 * (a run's result, an activity's input, the continue-as-new input, the `state` query's
 * answer) or the client (a run's start). Temporal refuses a larger payload, and a workflow
 * task that emits one fails over and over while the run stays RUNNING, so we measure first.
 *
 * Workflow-safe: imports nothing and only does arithmetic on JSON text, so the conductor
 * measures deterministically on replay.
 */

const KiB = 1024;
const MiB = 1024 * KiB;

/**
 * Temporal's per-payload limit: the server's dynamic config `limit.blobSize.error` (default
 * 2 MiB, the dev server's too). A server configured otherwise is not asked; this is the default.
 */
export const PAYLOAD_LIMIT_BYTES = 2 * MiB;

/**
 * What a value's JSON text may take of that limit: the rest is the envelope around it — the
 * payload's metadata, the protobuf framing and the activity input's `meta` (workflow id,
 * run id, task name, iteration).
 */
export const PAYLOAD_BUDGET_BYTES = PAYLOAD_LIMIT_BYTES - 16 * KiB;

/** The limit as people read it: `2 MiB`. */
export const PAYLOAD_LIMIT_TEXT = sizeText(PAYLOAD_LIMIT_BYTES);

/**
 * The UTF-8 byte length of `value` as the default payload converter encodes it (JSON text),
 * if that is over `budget`; undefined when it fits (or JSON makes nothing of it).
 * One JSON.stringify; the exact byte count only when the text's length cannot decide:
 * a UTF-16 unit of JSON text is at most 3 UTF-8 bytes, and never less than 1.
 */
export function oversize(value: unknown, budget: number = PAYLOAD_BUDGET_BYTES): number | undefined {
  const text = JSON.stringify(value);
  if (text === undefined || text.length * 3 <= budget) return undefined;
  const bytes = utf8Length(text);
  return bytes > budget ? bytes : undefined;
}

/** The UTF-8 byte length of `value`'s JSON text (0 if JSON makes nothing of it). */
export function jsonSize(value: unknown): number {
  const text = JSON.stringify(value);
  return text === undefined ? 0 : utf8Length(text);
}

/**
 * UTF-8 length of a string without encoding it. A lone surrogate counts 3 bytes, as
 * TextEncoder would replace it; JSON text has none (JSON.stringify escapes them).
 */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i += 1) {
    const unit = text.charCodeAt(i);
    if (unit < 0x80) bytes += 1;
    else if (unit < 0x800) bytes += 2;
    else if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length && isLowSurrogate(text.charCodeAt(i + 1))) {
      bytes += 4;
      i += 1;
    } else bytes += 3;
  }
  return bytes;
}

function isLowSurrogate(unit: number): boolean {
  return unit >= 0xdc00 && unit <= 0xdfff;
}

/** `512 B`, `128 KiB`, `195.3 KiB`, `2 MiB`, `2.4 MiB`. */
export function sizeText(bytes: number): string {
  if (bytes < KiB) return `${bytes} B`;
  const [amount, unit] = bytes < MiB ? [bytes / KiB, 'KiB'] : [bytes / MiB, 'MiB'];
  return `${Number.isInteger(amount) ? amount : amount.toFixed(1)} ${unit}`;
}

/**
 * Where most of an oversized value sits, for the message: follows the largest member down
 * while it holds more than half of its parent (`ctx.news`, `with.prompt`, `output.items[3]`);
 * `path` is the value's own (empty for a record whose keys are the first names).
 * Only called once a value is known to be too large, so its cost does not matter.
 */
export function largestPart(value: unknown, path: string): { path: string; bytes: number } {
  let at = { path, value, bytes: jsonSize(value) };
  for (;;) {
    if (typeof at.value !== 'object' || at.value === null) return { path: at.path, bytes: at.bytes };
    const members: [string, unknown][] = Array.isArray(at.value)
      ? at.value.map((member, index) => [`${at.path}[${index}]`, member])
      : Object.entries(at.value).map(([key, member]) => [at.path === '' ? key : `${at.path}.${key}`, member]);
    let best: { path: string; value: unknown; bytes: number } | undefined;
    for (const [memberPath, member] of members) {
      const bytes = jsonSize(member);
      if (best === undefined || bytes > best.bytes) best = { path: memberPath, value: member, bytes };
    }
    if (best === undefined || best.bytes * 2 <= at.bytes) return { path: at.path, bytes: at.bytes };
    at = best;
  }
}

/**
 * `input is 2.4 MiB (2516582 bytes), over the 2 MiB payload limit; most of it is with.prompt (2.4 MiB)`:
 * what is too large, by how much, and where the bulk sits.
 */
export function overLimitText(what: string, bytes: number, value?: unknown, path?: string): string {
  const base = `${what} is ${sizeText(bytes)} (${bytes} bytes), over the ${PAYLOAD_LIMIT_TEXT} payload limit`;
  if (value === undefined || path === undefined) return base;
  const part = largestPart(value, path);
  return part.path === path ? base : `${base}; most of it is ${part.path} (${sizeText(part.bytes)})`;
}
