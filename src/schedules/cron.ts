/**
 * A check of cron strings as Temporal's schedule spec reads them (ScheduleSpec.cronExpressions
 * in @temporalio/client): 5 fields (minute hour day-of-month month day-of-week), 6 (plus year)
 * or 7 (second first, year last); `@yearly`, `@monthly`, `@weekly`, `@daily`, `@hourly`;
 * `@every 5m[/phase]`; an optional leading `CRON_TZ=zone` and a trailing `# comment`. It only
 * says what is wrong, before any RPC; the server compiles the string.
 */

/** One field of a cron string: its name and the values it may hold. */
interface CronField {
  name: string;
  min: number;
  max: number;
  names?: readonly string[];
}

const SECOND: CronField = { name: 'second', min: 0, max: 59 };
const MINUTE: CronField = { name: 'minute', min: 0, max: 59 };
const HOUR: CronField = { name: 'hour', min: 0, max: 23 };
const DAY_OF_MONTH: CronField = { name: 'day of month', min: 1, max: 31 };
const MONTH: CronField = {
  name: 'month',
  min: 1,
  max: 12,
  names: ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'],
};
// 0 and 7 are both Sunday.
const DAY_OF_WEEK: CronField = { name: 'day of week', min: 0, max: 7, names: ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] };
const YEAR: CronField = { name: 'year', min: 1970, max: 9999 };

const LAYOUTS: Readonly<Record<number, readonly CronField[]>> = {
  5: [MINUTE, HOUR, DAY_OF_MONTH, MONTH, DAY_OF_WEEK],
  6: [MINUTE, HOUR, DAY_OF_MONTH, MONTH, DAY_OF_WEEK, YEAR],
  7: [SECOND, MINUTE, HOUR, DAY_OF_MONTH, MONTH, DAY_OF_WEEK, YEAR],
};

const SHORTHANDS = ['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly'];

/** `@every` takes whole numbers with a unit s, m, h or d (Temporal's own rule). */
const EVERY = /^@every\s+(\d+[smhd])+(\/(\d+[smhd])+)?$/;

/** Why `expression` is not a cron string Temporal reads, or undefined when it is one. */
export function cronProblem(expression: string): string | undefined {
  let text = expression.trim();
  const hash = text.indexOf('#');
  if (hash >= 0) text = text.slice(0, hash).trim();
  if (/^(CRON_)?TZ=/.test(text)) {
    return 'write the time zone as timezone (--tz), not CRON_TZ= inside the expression';
  }
  if (text === '') return 'empty cron expression';
  if (text.startsWith('@every')) {
    return EVERY.test(text) ? undefined : `'${text}': write @every with whole numbers and units s, m, h, d, e.g. @every 15m`;
  }
  if (text.startsWith('@')) {
    return SHORTHANDS.includes(text.toLowerCase()) ? undefined : `'${text}': not one of ${SHORTHANDS.join(', ')}, @every DUR`;
  }
  const parts = text.split(/\s+/);
  const layout = LAYOUTS[parts.length];
  if (layout === undefined) {
    return `'${text}' has ${parts.length} field${parts.length === 1 ? '' : 's'}: write 5 (minute hour day-of-month month day-of-week), 6 (plus year) or 7 (second first, year last)`;
  }
  for (const [index, part] of parts.entries()) {
    const field = layout[index];
    if (field === undefined) continue;
    const problem = fieldProblem(part, field);
    if (problem !== undefined) return `'${text}': ${field.name} '${part}' ${problem}`;
  }
  return undefined;
}

/** Why one field's text is wrong: a comma list of `*`, `N`, `N-M`, each with an optional `/step`. */
function fieldProblem(text: string, field: CronField): string | undefined {
  for (const item of text.split(',')) {
    const [range = '', step, ...extra] = item.split('/');
    if (extra.length > 0) return 'has more than one /';
    if (step !== undefined && !(/^\d+$/.test(step) && Number(step) > 0))
      return `has step '${step}': write a whole number above 0`;
    if (range === '*' || (range === '?' && (field === DAY_OF_MONTH || field === DAY_OF_WEEK))) continue;
    const [from = '', to, ...more] = range.split('-');
    if (more.length > 0) return 'has more than one -';
    const start = value(from, field);
    if (start === undefined) return rangeHint(field);
    if (to !== undefined) {
      const end = value(to, field);
      if (end === undefined) return rangeHint(field);
      if (end < start) return `runs backwards (${from}-${to})`;
    }
  }
  return undefined;
}

function value(text: string, field: CronField): number | undefined {
  const named = field.names?.indexOf(text.toLowerCase().slice(0, 3)) ?? -1;
  if (named >= 0 && /^[a-z]{3,}$/i.test(text)) return field === MONTH ? named + 1 : named;
  if (!/^\d+$/.test(text)) return undefined;
  const number = Number(text);
  return number >= field.min && number <= field.max ? number : undefined;
}

function rangeHint(field: CronField): string {
  const names = field.names === undefined ? '' : ` or ${field.names[0]}-${field.names[field.names.length - 1]}`;
  return `is out of range: use ${field.min}-${field.max}${names}, *, lists (a,b), ranges (a-b) and steps (*/n)`;
}
