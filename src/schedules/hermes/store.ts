/**
 * The old cron store (`cron/jobs.json` of the Hermes Agent tick, ../shared/HERMES-CRON.md) as
 * zod schemas, and its parse: the whole store is read and checked before anything else
 * happens, and every problem names the job's index, id and field. Fields the schema does not
 * name are kept (`passthrough`) so the translator can warn about each one.
 */
import { z } from 'zod';

/** A job id names its schedule (`hermes-<id>`) and an output folder: no path or query characters. */
const JOB_ID = /^[A-Za-z0-9_-]{1,64}$/;

/** `{"kind":"cron","expr":"0 9 * * 1-5"}`: the tick's rule, five fields of digits and `* - , /`. */
const CronSchema = z.looseObject({
  kind: z.literal('cron'),
  expr: z
    .string()
    .refine(
      (expr) => /^\s*([\d*,/-]+\s+){4}[\d*,/-]+\s*$/.test(expr),
      'needs five fields of digits and * - , / (minute hour day-of-month month day-of-week)',
    ),
  display: z.string().optional(),
});

/** `{"kind":"interval","minutes":30}`: measured from the last completion in the tick. */
const IntervalSchema = z.looseObject({
  kind: z.literal('interval'),
  minutes: z.number().int().positive(),
  display: z.string().optional(),
});

/** `{"kind":"once","run_at":"<aware ISO>"}`. */
const OnceSchema = z.looseObject({
  kind: z.literal('once'),
  run_at: z
    .string()
    .refine((at) => /(Z|[+-]\d\d:?\d\d)$/.test(at) && !Number.isNaN(Date.parse(at)), 'needs an ISO-8601 instant with an offset'),
  display: z.string().optional(),
});

export const HermesScheduleSchema = z.discriminatedUnion('kind', [CronSchema, IntervalSchema, OnceSchema], {
  error: 'needs kind cron, interval or once',
});
export type HermesSchedule = z.infer<typeof HermesScheduleSchema>;

/** Where a job created from a chat came from. */
export const HermesOriginSchema = z.looseObject({
  platform: z.string().min(1),
  chat_id: z.union([z.string(), z.number()]).transform(String),
  chat_name: z.string().nullish(),
  thread_id: z.union([z.string(), z.number()]).nullish(),
  user_id: z.union([z.string(), z.number()]).nullish(),
});
export type HermesOrigin = z.infer<typeof HermesOriginSchema>;

const nullableText = z.string().nullish();

/** A script path: inside `scripts/`, as the tick required when a job was saved. */
const ScriptPath = z
  .string()
  .min(1)
  .refine((p) => !p.startsWith('/') && !p.startsWith('~') && !p.split(/[\\/]/).includes('..'), {
    message: 'must be a path inside scripts/ (no absolute path, ~ or ..)',
  });

/** One job. Only `id` and `schedule` are required; the rest default as the tick read them. */
export const HermesJobSchema = z
  .looseObject({
    id: z.string().regex(JOB_ID, 'must be letters, digits, _ or - (the tick writes 12 hex characters)'),
    name: nullableText,
    prompt: z.string().nullish(),
    skills: z.array(z.string()).nullish(),
    skill: nullableText,
    model: nullableText,
    provider: nullableText,
    base_url: z.url({ protocol: /^https?$/ }).nullish(),
    provider_snapshot: nullableText,
    model_snapshot: nullableText,
    script: ScriptPath.nullish(),
    no_agent: z.boolean().nullish(),
    context_from: z.union([z.string(), z.array(z.string())]).nullish(),
    schedule: HermesScheduleSchema,
    schedule_display: nullableText,
    repeat: z.looseObject({ times: z.number().int().nullish(), completed: z.number().int().min(0).nullish() }).nullish(),
    enabled: z.boolean().nullish(),
    state: z.enum(['scheduled', 'paused', 'completed', 'error', 'running']).nullish(),
    paused_at: nullableText,
    paused_reason: nullableText,
    created_at: nullableText,
    next_run_at: nullableText,
    last_run_at: nullableText,
    last_status: nullableText,
    last_error: nullableText,
    last_delivery_error: nullableText,
    deliver: z.union([z.string(), z.array(z.string())]).nullish(),
    origin: HermesOriginSchema.nullish(),
    enabled_toolsets: z.array(z.string()).nullish(),
    workdir: z
      .string()
      .refine((p) => p.startsWith('/'), 'must be an absolute path')
      .nullish(),
    attach_to_session: z.boolean().nullish(),
    fire_claim: z.unknown().optional(),
  })
  .superRefine((job, ctx) => {
    if (job.no_agent === true && !job.script)
      ctx.addIssue({ code: 'custom', path: ['no_agent'], message: 'no_agent needs a script (the script is the whole job)' });
  });
export type HermesJob = z.infer<typeof HermesJobSchema>;

/** The fields the baseline store writes; any other is reported, not silently ignored. */
export const KNOWN_JOB_FIELDS: ReadonlySet<string> = new Set(Object.keys(HermesJobSchema.shape));

/** One thing wrong with the store: which job (index and id) and which field. */
export interface StoreProblem {
  index?: number;
  id?: string;
  field: string;
  message: string;
}

/** `jobs[3] (id 1a2b3c4d5e6f) schedule.expr: …` */
export function formatStoreProblem(p: StoreProblem): string {
  const job = p.index === undefined ? '' : `jobs[${p.index}]${p.id ? ` (id ${p.id})` : ''} `;
  return `${job}${p.field || '(store)'}: ${p.message}`;
}

/** Thrown when the store cannot be imported; carries every problem. */
export class StoreError extends Error {
  override readonly name = 'StoreError';
  constructor(readonly problems: readonly StoreProblem[]) {
    super(
      `the cron store has ${problems.length} problem${problems.length === 1 ? '' : 's'}:\n${problems.map(formatStoreProblem).join('\n')}`,
    );
  }
}

function fieldPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>(
    (acc, key) => (typeof key === 'number' ? `${acc}[${key}]` : acc === '' ? String(key) : `${acc}.${String(key)}`),
    '',
  );
}

/**
 * Reads a whole store: the `{jobs: [...]}` envelope or a bare list (the tick wraps it back),
 * each job checked, duplicate ids refused. Returns the jobs or every problem.
 */
export function parseStore(value: unknown): { ok: true; jobs: HermesJob[] } | { ok: false; problems: StoreProblem[] } {
  const list: unknown = Array.isArray(value) ? value : (value as { jobs?: unknown } | null)?.jobs;
  if (!Array.isArray(list))
    return { ok: false, problems: [{ field: 'jobs', message: 'expected {"jobs": [...]} or a list of jobs' }] };
  const problems: StoreProblem[] = [];
  const jobs: HermesJob[] = [];
  const seen = new Map<string, number>();
  list.forEach((raw, index) => {
    const id = typeof (raw as { id?: unknown } | null)?.id === 'string' ? (raw as { id: string }).id : undefined;
    const parsed = HermesJobSchema.safeParse(raw);
    if (!parsed.success) {
      for (const issue of parsed.error.issues)
        problems.push({ index, ...(id ? { id } : {}), field: fieldPath(issue.path), message: issue.message });
      return;
    }
    const first = seen.get(parsed.data.id);
    if (first !== undefined)
      problems.push({
        index,
        id: parsed.data.id,
        field: 'id',
        message: `the same id as jobs[${first}]; ids name schedules, so they must be unique`,
      });
    seen.set(parsed.data.id, index);
    jobs.push(parsed.data);
  });
  return problems.length > 0 ? { ok: false, problems } : { ok: true, jobs };
}
