/**
 * Secrets never leave a worker in text (SPEC §3 rule 15): an API that echoes the key it was
 * sent in an error body, or a script that prints a token, must not put it into history, logs
 * or CLI output. Every failure message an activity returns passes through {@link redact}.
 */

/** Variable names that hold secrets by convention. */
const SECRET_NAME = /(KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL)/i;
/** Shorter values are too likely to occur in ordinary text to be told apart from it. */
const MIN_SECRET_LENGTH = 6;

/**
 * The secret values in `env`: every variable whose name says it holds one, plus the
 * variables a task names as its key or secret source (`api_key_env`, `secret_env`, whatever
 * they are called).
 */
export function secretValues(env: NodeJS.ProcessEnv, namedSources: readonly string[] = []): string[] {
  const names = new Set([...Object.keys(env).filter((name) => SECRET_NAME.test(name)), ...namedSources]);
  const values = [...names]
    .map((name) => env[name])
    .filter((value): value is string => (value?.length ?? 0) >= MIN_SECRET_LENGTH);
  // Longest first, so a secret that contains another is replaced whole.
  return [...new Set(values)].sort((a, b) => b.length - a.length);
}

/** `text` with every secret in it replaced by `[redacted]`. */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) if (out.includes(secret)) out = out.split(secret).join('[redacted]');
  return out;
}

/** The environment variable names a parsed `with` points at (`api_key_env`, `secret_env`). */
export function namedSecretSources(input: unknown): string[] {
  if (typeof input !== 'object' || input === null) return [];
  return Object.entries(input).flatMap(([field, value]) => (field.endsWith('_env') && typeof value === 'string' ? [value] : []));
}
