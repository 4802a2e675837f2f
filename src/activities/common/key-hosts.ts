/**
 * Which host each API key may be sent to (SPEC §3 rule 15: "a key is sent only to the host
 * configured for it"). The map is the worker's, never a definition's or a run's:
 *
 * - `OPENAI_API_KEY` goes to https://api.openai.com;
 * - the key the worker names for its own endpoint (SWITCHYARD_AGENT_API_KEY_ENV, default
 *   OPENAI_API_KEY) also goes to that endpoint's origin (SWITCHYARD_AGENT_BASE_URL);
 * - SWITCHYARD_AGENT_KEYS adds pairs `ENV_NAME=https://origin`, separated by commas or
 *   whitespace, e.g. `GROQ_API_KEY=https://api.groq.com, LOCAL_KEY=http://127.0.0.1:8080`;
 * - SWITCHYARD_HTTP_SECRETS adds pairs of the same shape for `http` tasks' `secret_env`
 *   ({@link httpSecretHosts}), which may also send any key above to its hosts.
 */

export const AGENT_KEYS_ENV = 'SWITCHYARD_AGENT_KEYS';
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Built in: the one key whose host is known without configuration. */
const DEFAULT_HOSTS: readonly (readonly [string, string])[] = [['OPENAI_API_KEY', 'https://api.openai.com']];

/** The origin of an http(s) URL, or undefined. */
function originOf(url: string): string | undefined {
  if (!URL.canParse(url)) return undefined;
  const u = new URL(url);
  return u.protocol === 'http:' || u.protocol === 'https:' ? u.origin : undefined;
}

/** Env var name → the origins its key may be sent to; or the problem with SWITCHYARD_AGENT_KEYS. */
export function keyHosts(env: NodeJS.ProcessEnv): ReadonlyMap<string, ReadonlySet<string>> | string {
  const hosts = new Map<string, Set<string>>();
  const add = (name: string, origin: string) => {
    const set = hosts.get(name) ?? new Set<string>();
    set.add(origin);
    hosts.set(name, set);
  };
  for (const [name, origin] of DEFAULT_HOSTS) add(name, origin);
  const base = env.SWITCHYARD_AGENT_BASE_URL;
  if (base) {
    const origin = originOf(base);
    if (!origin) return `SWITCHYARD_AGENT_BASE_URL: ${JSON.stringify(base)} is not an http(s) URL`;
    add(env.SWITCHYARD_AGENT_API_KEY_ENV ?? 'OPENAI_API_KEY', origin);
  }
  const problem = addPairs(env, AGENT_KEYS_ENV, add);
  return problem ?? hosts;
}

export const HTTP_SECRETS_ENV = 'SWITCHYARD_HTTP_SECRETS';

/** Adds the `ENV_NAME=https://origin` pairs of `variable`; returns the problem with it, if any. */
function addPairs(env: NodeJS.ProcessEnv, variable: string, add: (name: string, origin: string) => void): string | undefined {
  for (const entry of (env[variable] ?? '').split(/[\s,]+/).filter(Boolean)) {
    const eq = entry.indexOf('=');
    const name = entry.slice(0, eq);
    const origin = originOf(entry.slice(eq + 1));
    if (eq <= 0 || !ENV_NAME.test(name) || !origin)
      return `${variable}: ${JSON.stringify(entry)} is not ENV_NAME=https://host (an environment variable name, "=", an http(s) URL)`;
    add(name, origin);
  }
  return undefined;
}

/** Where an http task's `secret_env` may be sent: {@link keyHosts} plus SWITCHYARD_HTTP_SECRETS; or the problem. */
export function httpSecretHosts(env: NodeJS.ProcessEnv): ReadonlyMap<string, ReadonlySet<string>> | string {
  const known = keyHosts(env);
  if (typeof known === 'string') return known;
  const hosts = new Map([...known].map(([name, origins]) => [name, new Set(origins)]));
  const problem = addPairs(env, HTTP_SECRETS_ENV, (name, origin) => {
    const set = hosts.get(name) ?? new Set<string>();
    set.add(origin);
    hosts.set(name, set);
  });
  return problem ?? hosts;
}
