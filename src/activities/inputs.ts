/**
 * The `with` of each activity, as zod schemas: the activity parses its input with them, and
 * `validate` checks a definition's literal `with` against the same ones (definition/with.ts).
 * Pure on purpose — zod and the definition language's own rules, no I/O — so that the
 * definition module, which also runs inside the workflow sandbox, may import it.
 */
import { z } from 'zod';
import { TARGET_SPLIT } from '../definition/language.js';
import { durationSchema } from './common/duration.js';

const MiB = 1024 * 1024;

/** Values from expressions: text as is; numbers and booleans as their text; objects as JSON text. */
const argText = z
  .union([z.string(), z.number(), z.boolean(), z.array(z.unknown()), z.record(z.string(), z.unknown())])
  .transform((v) => (typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v)))
  .refine((v) => !v.includes('\0'), 'must not contain NUL characters');

/** `with` of a script task. */
export const scriptInputSchema = z
  .strictObject({
    /** argv: the program and its arguments, passed to the OS as is (never through a shell). */
    command: z.array(argText).min(1).optional(),
    /** Opt-in shell script text, run with /bin/sh -c; values belong in `args` ($1, $2, …). */
    shell: z.string().min(1).optional(),
    args: z.array(argText).optional(),
    cwd: z.string().min(1).optional(),
    /** Set over the script's minimal environment (see scriptEnvironment); null removes a variable. */
    env: z
      .record(
        z.string().regex(/^[^=\0]+$/, 'not a valid variable name'),
        z.union([z.string(), z.number(), z.boolean()]).nullable(),
      )
      .optional(),
    timeout: durationSchema.optional(),
    stdin: argText.optional(),
    /** Per stream; the head is kept. At most 1 MiB so results fit a Temporal payload. */
    max_output_bytes: z.number().int().positive().max(MiB).default(MiB),
    parse_json: z.boolean().default(false),
  })
  .superRefine(
    (v, ctx) => {
      if ((v.command === undefined) === (v.shell === undefined)) {
        ctx.addIssue({
          code: 'custom',
          path: ['command'],
          message: 'give exactly one of `command` (argv array) or `shell` (script text)',
        });
      }
      if (v.args !== undefined && v.shell === undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['args'],
          message: '`args` is only for `shell` scripts; put arguments in `command`',
        });
      }
      if (Array.isArray(v.command) && v.command[0] === '')
        ctx.addIssue({ code: 'custom', path: ['command', 0], message: 'the program must not be empty' });
      // Run even when fields have issues, so one parse reports every problem at once.
    },
    { when: (payload) => typeof payload.value === 'object' && payload.value !== null },
  );

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** A job name as it may appear in a visibility query (quotes and spaces could rewrite it). */
export const JOB_NAME = /^[A-Za-z0-9_.:-]+$/;

/** What the old cron tick kept of an upstream job's output for `context_from`. */
export const CONTEXT_MAX_CHARS = 8000;

/** Where an agent conversation runs: an OpenAI-compatible endpoint, or the worker's own local model. */
export const AGENT_PROVIDERS = ['openai', 'local'] as const;
export type AgentProvider = (typeof AGENT_PROVIDERS)[number];

/** The fields that configure an endpoint: meaningless (and refused) with `provider: local`. */
const ENDPOINT_FIELDS = ['model', 'base_url', 'api_key_env'] as const;

/** `with` of an agent task. The API key itself is never accepted here: it would land in history. */
export const agentInputSchema = z
  .strictObject({
    /**
     * `local`: the worker's embedded model (agent/local.ts); `openai`: an OpenAI-compatible
     * endpoint. Unset: the worker's SWITCHYARD_AGENT_PROVIDER, else `openai` when an endpoint
     * is configured (here or on the worker), else `local`.
     */
    provider: z.enum(AGENT_PROVIDERS).optional(),
    prompt: z.string().min(1),
    system: z.string().optional(),
    model: z.string().min(1).optional(),
    base_url: z.url({ protocol: /^https?$/ }).optional(),
    /** Name of the worker env var that holds the API key. */
    api_key_env: z.string().regex(ENV_NAME, 'must be an environment variable name').optional(),
    api_key: z
      .never({
        error: 'API keys are never accepted in `with` (they would be stored in history); name the env var in `api_key_env`',
      })
      .optional(),
    temperature: z.number().min(0).max(2).optional(),
    max_tokens: z.number().int().positive().optional(),
    timeout: durationSchema.optional(),
    /**
     * Jobs (SwitchyardJob values) whose newest completed run's output is put above the prompt,
     * each cut at `context_max_chars`: the old cron tick's `context_from` (agent/context.ts).
     */
    context_from: z.array(z.string().regex(JOB_NAME, 'must be a job name (letters, digits, _ . : -)')).optional(),
    context_max_chars: z.number().int().positive().default(CONTEXT_MAX_CHARS),
  })
  .superRefine(
    (v, ctx) => {
      // The local model is the worker's file (SWITCHYARD_LOCAL_MODEL): a task never names a
      // file, a host or a key for it.
      if (v.provider !== 'local') return;
      for (const field of ENDPOINT_FIELDS)
        if (v[field] !== undefined)
          ctx.addIssue({
            code: 'custom',
            path: [field],
            message: `\`${field}\` is for provider openai; the local provider runs the worker's own model (SWITCHYARD_LOCAL_MODEL)`,
          });
    },
    { when: (payload) => typeof payload.value === 'object' && payload.value !== null },
  );

/** One e-mail address, no display name or list: `name@host`. */
export const EMAIL_ADDRESS = /^[^\s@,;<>"]+@[^\s@,;<>"]+$/;

/** The platforms whose home channel a `home:` target may name: those with a target kind of the same name. */
export const HOME_PLATFORMS = ['telegram', 'discord', 'slack', 'email'] as const;

/** What `home:` may be followed by. */
export const HOME_ADDRESS = new RegExp(`^(all|origin|${HOME_PLATFORMS.join('|')})$`);

/** Target kinds and how each address must look (what is wrong, or undefined). */
const TARGET_ADDRESSES = {
  file: (a: string) => (a.trim() ? undefined : 'needs a folder, e.g. file:outbox'),
  webhook: (a: string) => (/^https?:\/\/[^\s]+$/.test(a) && URL.canParse(a) ? undefined : 'needs an http(s) URL'),
  slack: (a: string) =>
    /^[#\w.-]+(:\d+\.\d+)?$/.test(a) ? undefined : 'needs a channel name or id (then :THREAD_TS for a thread reply)',
  discord: (a: string) => (/^\d{5,25}$/.test(a) ? undefined : 'needs a numeric channel id'),
  telegram: (a: string) =>
    /^(-?\d+|@\w{4,})(:\d+)?$/.test(a) ? undefined : 'needs a numeric chat id or @channelname (then :TOPIC for a forum topic)',
  email: (a: string) => (EMAIL_ADDRESS.test(a) ? undefined : 'needs one address, e.g. email:ops@example.com'),
  /** A home channel from the worker's environment, resolved when the delivery runs (deliver/home.ts). */
  home: (a: string) => (HOME_ADDRESS.test(a) ? undefined : `needs all, origin or one of ${HOME_PLATFORMS.join(', ')}`),
} as const;

/** A delivery target kind: `file`, `webhook`, `slack`, `discord`, `telegram`, `email`, `home`. */
export type TargetKind = keyof typeof TARGET_ADDRESSES;

function isTargetKind(kind: string): kind is TargetKind {
  return Object.hasOwn(TARGET_ADDRESSES, kind);
}

/** One parsed target: `kind:address`, with `raw` as written. */
export interface DeliveryTarget {
  raw: string;
  kind: string;
  address: string;
}

const targetsSchema = z
  .union([z.string(), z.array(z.string())])
  .transform((to) => [...new Set((typeof to === 'string' ? to.split(TARGET_SPLIT) : to).map((t) => t.trim()).filter(Boolean))])
  .transform((list, ctx): DeliveryTarget[] => {
    if (list.length === 0) ctx.addIssue({ code: 'custom', message: 'no delivery target given' });
    return list.map((raw, i) => {
      const colon = raw.indexOf(':');
      const kind = colon > 0 ? raw.slice(0, colon) : '';
      const address = raw.slice(colon + 1);
      const known = isTargetKind(kind);
      const problem = raw.includes('{{')
        ? `${JSON.stringify(raw)} holds a template the interpreter kept as written: a target's kind and a webhook's scheme and host are never rendered (SPEC rule 15)`
        : known
          ? TARGET_ADDRESSES[kind](address)
          : `unknown target kind in ${JSON.stringify(raw)} (use ${Object.keys(TARGET_ADDRESSES).join(':, ')}:)`;
      if (problem) ctx.addIssue({ code: 'custom', path: [i], message: known ? `${kind}: ${problem}` : problem });
      return { raw, kind, address };
    });
  });

/** `with` of a deliver task. */
export const deliverInputSchema = z.strictObject({
  /** A target, a comma list of targets, or an array of them. */
  to: targetsSchema,
  /** Text to send; any other value is sent as its JSON text. */
  content: z.unknown().transform((v, ctx) => {
    const text = typeof v === 'string' ? v : v === undefined ? '' : JSON.stringify(v, null, 2);
    if (text.trim() === '') ctx.addIssue({ code: 'custom', message: 'content is missing or empty' });
    return text;
  }),
  title: z.string().optional(),
  /** Append a visible `— sy_…` id line to chat messages, for targets that cannot dedupe. */
  footer: z.boolean().default(false),
  secret_env: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name')
    .default('SWITCHYARD_WEBHOOK_SECRET'),
  /** Per-request deadline (default 30 s). */
  timeout: durationSchema.default(30_000),
});

/** The methods an `http` task may use. */
export const HTTP_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;

/**
 * Request headers an `http` task may not set: the connection's own (undici sets them from the
 * URL and body) and those that carry credentials, which come only from `secret_env`.
 */
export const HTTP_RESERVED_HEADERS = [
  'host',
  'content-length',
  'transfer-encoding',
  'connection',
  'upgrade',
  'authorization',
  'proxy-authorization',
  'cookie',
] as const;

/** What an `http` task's answer may take: its body is the task's result, which must fit a payload. */
export const HTTP_MAX_RESPONSE_BYTES = MiB;

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** `with` of an http task: one request, its answer parsed as JSON when its content type says so. */
export const httpInputSchema = z
  .strictObject({
    method: z
      .string()
      .transform((m) => m.toUpperCase())
      .pipe(z.enum(HTTP_METHODS))
      .default('GET'),
    /** The scheme and host are literal (SPEC rule 15): a template may fill the path and query only. */
    url: z
      .string()
      .refine(
        (url) => !/^[^/?#]*(\/\/[^/?#]*)?\{\{/.test(url),
        "holds a template the interpreter kept as written: a URL's scheme and host are never rendered (SPEC rule 15)",
      )
      .pipe(z.url({ protocol: /^https?$/, error: 'needs an http(s) URL' })),
    headers: z
      .record(
        z.string(),
        z
          .union([z.string(), z.number(), z.boolean()])
          .transform(String)
          .refine((v) => !/[\r\n\0]/.test(v), 'must not contain line breaks or NUL'),
      )
      .optional(),
    /** A JSON body (sent as application/json). */
    json: z.unknown().optional(),
    /** A text body (content type from `headers`, else text/plain). */
    body: z.string().optional(),
    /** Statuses that count as success (default: any 2xx). */
    expect: z.array(z.number().int().min(100).max(599)).min(1).optional(),
    /** Worker env var holding a credential sent in `secret_header` (never a value: it would land in history). */
    secret_env: z.string().regex(ENV_NAME, 'must be an environment variable name').optional(),
    /** Where the credential goes; default `authorization`, as `Bearer <secret>`; any other header gets the bare value. */
    secret_header: z.string().regex(HEADER_NAME, 'not a header name').default('authorization'),
    /** Per-request deadline (default 30 s). */
    timeout: durationSchema.default(30_000),
    /** The answer's body is refused above this (default and maximum 1 MiB: it becomes the task's result). */
    max_response_bytes: z.number().int().positive().max(HTTP_MAX_RESPONSE_BYTES).default(HTTP_MAX_RESPONSE_BYTES),
  })
  .superRefine(
    (v, ctx) => {
      if (v.json !== undefined && v.body !== undefined)
        ctx.addIssue({ code: 'custom', path: ['body'], message: 'give at most one of `json` and `body`' });
      for (const name of Object.keys(v.headers ?? {})) {
        // Checked here, not as the record's key schema: zod would report only "Invalid key in record".
        if (!HEADER_NAME.test(name)) ctx.addIssue({ code: 'custom', path: ['headers', name], message: 'not a header name' });
        else if ((HTTP_RESERVED_HEADERS as readonly string[]).includes(name.toLowerCase()))
          ctx.addIssue({
            code: 'custom',
            path: ['headers', name],
            message: `not settable here (${HTTP_RESERVED_HEADERS.join(', ')}); credentials come only from secret_env`,
          });
      }
      const secretHeader = v.secret_header.toLowerCase();
      if (['host', 'content-length', 'transfer-encoding', 'connection', 'upgrade', 'cookie'].includes(secretHeader))
        ctx.addIssue({ code: 'custom', path: ['secret_header'], message: `${v.secret_header} cannot carry a credential` });
      if (v.secret_env !== undefined && Object.keys(v.headers ?? {}).some((name) => name.toLowerCase() === secretHeader))
        ctx.addIssue({
          code: 'custom',
          path: ['headers', v.secret_header],
          message: `${v.secret_header} carries the secret from secret_env; it cannot be set in headers too`,
        });
      if ((v.json !== undefined || v.body !== undefined) && (v.method === 'GET' || v.method === 'HEAD'))
        ctx.addIssue({ code: 'custom', path: ['method'], message: `${v.method} sends no body: use POST, PUT or PATCH` });
    },
    { when: (payload) => typeof payload.value === 'object' && payload.value !== null },
  );
