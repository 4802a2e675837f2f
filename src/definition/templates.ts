/**
 * `{{ expr }}` templates: any string value in `with`, `publish` and `output` may embed JSONata.
 * A string that is exactly one `{{ expr }}` yields the raw value (a number stays a number, a
 * list stays a list); anything else is text with each expression's value spliced in.
 */
import { compileExpression, ExpressionError, type Scope } from './compile.js';
import { joinPath } from './paths.js';

/** One piece of a template: literal text, or an expression between `{{` and `}}`. */
export type TemplatePart = { kind: 'text'; text: string } | { kind: 'expression'; source: string };

/** A parsed template. `single` is set when the whole string is one `{{ expr }}` and so yields a raw value. */
export interface Template {
  parts: TemplatePart[];
  single?: string;
}

const QUOTES = new Set(['"', "'", '`']);

/** Finds the `}}` closing an expression that starts at `from`, skipping string literals and nested `{...}`. */
function findClose(text: string, from: number): number {
  let depth = 0;
  let quote: string | undefined;
  for (let i = from; i < text.length; i++) {
    const char = text[i];
    if (quote !== undefined) {
      if (char === '\\') i++;
      else if (char === quote) quote = undefined;
    } else if (char !== undefined && QUOTES.has(char)) quote = char;
    else if (char === '{') depth++;
    else if (char === '}') {
      if (depth === 0 && text[i + 1] === '}') return i;
      depth = Math.max(0, depth - 1);
    }
  }
  return -1;
}

/** Splits a string into literal text and `{{ expr }}` parts; throws {@link ExpressionError} for an unclosed `{{`. */
export function parseTemplate(text: string, path: string): Template {
  const parts: TemplatePart[] = [];
  let cursor = 0;
  for (;;) {
    const open = text.indexOf('{{', cursor);
    if (open === -1) break;
    const close = findClose(text, open + 2);
    if (close === -1) throw new ExpressionError(path, text.slice(open), "'{{' without a closing '}}'");
    if (open > cursor) parts.push({ kind: 'text', text: text.slice(cursor, open) });
    const source = text.slice(open + 2, close).trim();
    if (source === '') throw new ExpressionError(path, text.slice(open, close + 2), 'empty expression');
    parts.push({ kind: 'expression', source });
    cursor = close + 2;
  }
  if (cursor < text.length) parts.push({ kind: 'text', text: text.slice(cursor) });
  const expressions = parts.filter((part) => part.kind === 'expression');
  const onlyBlankText = parts.every((part) => part.kind === 'expression' || part.text.trim() === '');
  const [first] = expressions;
  return expressions.length === 1 && onlyBlankText && first !== undefined ? { parts, single: first.source } : { parts };
}

/** Compiles every `{{ }}` in a value (deep) and returns every error found, for validation. */
export function checkTemplates(value: unknown, path: string): ExpressionError[] {
  if (typeof value === 'string') {
    try {
      const template = parseTemplate(value, path);
      const errors: ExpressionError[] = [];
      for (const part of template.parts) {
        if (part.kind !== 'expression') continue;
        try {
          compileExpression(part.source, path);
        } catch (error) {
          if (error instanceof ExpressionError) errors.push(error);
          else throw error;
        }
      }
      return errors;
    } catch (error) {
      if (error instanceof ExpressionError) return [error];
      throw error;
    }
  }
  if (Array.isArray(value)) return value.flatMap((member, index) => checkTemplates(member, joinPath(path, index)));
  if (isPlainObject(value)) {
    return Object.entries(value).flatMap(([key, member]) => checkTemplates(member, joinPath(path, key)));
  }
  return [];
}

/** True if a string anywhere inside `value` holds a `{{`: only such values need evaluating. */
export function hasTemplates(value: unknown): boolean {
  if (typeof value === 'string') return value.includes('{{');
  if (Array.isArray(value)) return value.some((member) => hasTemplates(member));
  if (isPlainObject(value)) return Object.values(value).some((member) => hasTemplates(member));
  return false;
}

/**
 * Renders templates deep inside a value. Objects and arrays are rendered member by member;
 * other values pass through. Fails with an {@link ExpressionError} naming the path.
 *
 * A value without templates comes back as it is, synchronously: JSONata evaluation is
 * async, and every promise costs a recorded stack trace inside a workflow, so only values
 * that really hold expressions pay for one.
 */
export function renderTemplate(value: unknown, scope: Scope, path: string): unknown {
  return hasTemplates(value) ? renderDeep(value, scope, path) : value;
}

async function renderDeep(value: unknown, scope: Scope, path: string): Promise<unknown> {
  if (typeof value === 'string') return renderString(value, scope, path);
  if (Array.isArray(value)) {
    const rendered: unknown[] = [];
    // Sequential on purpose: evaluation order stays fixed, which keeps errors reproducible.
    for (const [index, member] of value.entries()) rendered.push(await renderDeep(member, scope, joinPath(path, index)));
    return rendered;
  }
  if (isPlainObject(value)) {
    const rendered: Record<string, unknown> = {};
    for (const [key, member] of Object.entries(value)) rendered[key] = await renderDeep(member, scope, joinPath(path, key));
    return rendered;
  }
  return value;
}

async function renderString(text: string, scope: Scope, path: string): Promise<unknown> {
  if (!text.includes('{{')) return text;
  const template = parseTemplate(text, path);
  if (template.single !== undefined) return normalise(await compileExpression(template.single, path).evaluate(scope, path));
  let out = '';
  for (const part of template.parts) {
    out += part.kind === 'text' ? part.text : asText(await compileExpression(part.source, path).evaluate(scope, path));
  }
  return out;
}

/** How a value reads when spliced into text: strings as-is, objects as JSON, nothing as ''. */
export function asText(value: unknown): string {
  if (value === undefined || typeof value === 'function') return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(normalise(value)) ?? '';
}

/**
 * JSONata marks result sequences with extra array properties and may return functions;
 * strip both so a rendered value is plain JSON data that survives a Temporal payload as is.
 */
function normalise(value: unknown): unknown {
  if (typeof value === 'function') return undefined;
  if (Array.isArray(value)) return value.map((member) => normalise(member));
  if (isPlainObject(value)) {
    const plain: Record<string, unknown> = {};
    for (const [key, member] of Object.entries(value)) plain[key] = normalise(member);
    return plain;
  }
  return value;
}

/** True for `{...}` records (not arrays, not null). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
