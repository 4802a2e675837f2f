/**
 * Durations in definitions are always written with units (`250ms`, `5s`, `1h30m`), because a
 * bare `90` is ambiguous between the seconds a human means and the milliseconds Temporal takes.
 */

const UNIT_MS = { d: 86_400_000, h: 3_600_000, m: 60_000, s: 1_000, ms: 1 } as const;
type Unit = keyof typeof UNIT_MS;
const UNITS_IN_ORDER: readonly Unit[] = ['d', 'h', 'm', 's', 'ms'];

function isUnit(text: string): text is Unit {
  return Object.hasOwn(UNIT_MS, text);
}

/** Parses `250ms`, `5s`, `2m`, `1h30m`, `1d`, `1.5h` into milliseconds; throws an Error saying what is wrong. */
export function parseDuration(text: string): number {
  const trimmed = text.trim();
  if (trimmed === '') throw new Error('empty duration: write e.g. 5s, 2m or 1h30m');
  if (/^\d+(\.\d+)?$/.test(trimmed)) {
    throw new Error(`duration '${text}' has no unit: write a unit, e.g. ${trimmed}s`);
  }
  const part = /(\d+(?:\.\d+)?)(ms|d|h|m|s)/y;
  let total = 0;
  let lastRank = -1;
  while (part.lastIndex < trimmed.length) {
    const match = part.exec(trimmed);
    const [, amount, unit] = match ?? [];
    if (amount === undefined || unit === undefined || !isUnit(unit)) {
      throw new Error(`invalid duration '${text}': use numbers with units d, h, m, s, ms, e.g. 1h30m or 250ms`);
    }
    // Units must run from largest to smallest, each at most once: `30m1h` is more likely a typo than intent.
    const rank = UNITS_IN_ORDER.indexOf(unit);
    if (rank <= lastRank) throw new Error(`invalid duration '${text}': write units from largest to smallest, each once`);
    lastRank = rank;
    total += Number(amount) * UNIT_MS[unit];
  }
  return Math.round(total);
}

/** Formats milliseconds as the shortest duration text that {@link parseDuration} reads back, e.g. `1h30m`. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) throw new Error(`cannot format duration ${ms}`);
  if (ms === 0) return '0s';
  let rest = Math.round(ms);
  let text = '';
  for (const unit of UNITS_IN_ORDER) {
    const size = UNIT_MS[unit];
    const count = Math.floor(rest / size);
    if (count > 0) {
      text += `${count}${unit}`;
      rest -= count * size;
    }
  }
  return text;
}
