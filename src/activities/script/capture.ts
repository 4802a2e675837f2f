import { utf8Complete, utf8Tail } from '../common/text.js';

/**
 * Collects one output stream: keeps the first `limit` bytes and a rolling tail, and counts
 * (then drops) everything else, so a writer of any size neither blocks on a full pipe nor
 * fills memory.
 */
export class StreamCapture {
  private readonly chunks: Buffer[] = [];
  private kept = 0;
  private tail = Buffer.alloc(0);
  /** Bytes seen, including the discarded ones. */
  total = 0;

  constructor(
    private readonly limit: number,
    private readonly tailSize = 8192,
  ) {}

  push(chunk: Buffer): void {
    this.total += chunk.length;
    if (this.kept < this.limit) {
      const take = chunk.subarray(0, this.limit - this.kept);
      this.chunks.push(Buffer.from(take));
      this.kept += take.length;
    }
    // Copy the tail so we never pin a large chunk in memory.
    this.tail =
      chunk.length >= this.tailSize
        ? Buffer.from(chunk.subarray(chunk.length - this.tailSize))
        : Buffer.concat([this.tail, chunk]).subarray(-this.tailSize);
  }

  /** Whether bytes were discarded. */
  get truncated(): boolean {
    return this.total > this.limit;
  }

  /** The kept head as text, never ending mid-character. */
  head(): string {
    const kept = Buffer.concat(this.chunks);
    return (this.truncated ? utf8Complete(kept) : kept).toString('utf8');
  }

  /** The last `max` bytes the process wrote (even past the cap), as text. */
  lastBytes(max: number): string {
    return utf8Tail(this.tail, Math.min(max, this.tailSize));
  }
}

/** The last non-empty line of a text, trimmed. */
export function lastNonEmptyLine(text: string): string | undefined {
  const lines = text.split(/\r?\n/);
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i]?.trim();
    if (line) return line;
  }
  return undefined;
}

/** SPEC wake gate: a script ends with `{"wakeAgent": false}` to say "nothing to tell the agent". */
export function wantsAgent(stdoutTail: string): boolean {
  const line = lastNonEmptyLine(stdoutTail);
  if (!line?.startsWith('{')) return true;
  try {
    const value = JSON.parse(line) as unknown;
    const keys = value && typeof value === 'object' && !Array.isArray(value) ? Object.keys(value) : [];
    return !(keys.length === 1 && (value as { wakeAgent?: unknown }).wakeAgent === false);
  } catch {
    return true;
  }
}
