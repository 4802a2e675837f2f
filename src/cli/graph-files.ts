/**
 * Reading the files `action: graph` tasks name (SPEC §3 rule 19): relative to the definition
 * that names them (`with.file`), or the one next to it whose `name:` a task gives
 * (`with.name`), when that definition is loaded, so the child definition travels inside the
 * parent's input and editing the file later changes no started run.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { parse } from 'yaml';
import type { GraphFinder, GraphReader, LoadOptions } from '../definition/index.js';

/** A path as problems show it: relative to the working folder when it is inside it. */
function shown(path: string): string {
  const near = relative(process.cwd(), path);
  return near === '' || near.startsWith('..') ? path : near;
}

/** Reads a subgraph's file next to the definition naming it (or the working folder). */
export const readGraphFile: GraphReader = (file, from) => {
  const path = resolve(from === undefined ? process.cwd() : dirname(resolve(from)), file);
  try {
    return { path: shown(path), text: readFileSync(path, 'utf8') };
  } catch (error) {
    const code = error instanceof Error && 'code' in error && typeof error.code === 'string' ? error.code : undefined;
    return { error: code === 'ENOENT' ? `no such file (${shown(path)})` : (code ?? String(error)) };
  }
};

/**
 * Finds the definition whose `name:` is `name` among the YAML files next to the definition
 * naming it (not below): exactly one must have it.
 */
export const findGraphByName: GraphFinder = (name, from) => {
  const dir = from === undefined ? process.cwd() : dirname(resolve(from));
  let files: string[];
  try {
    files = readdirSync(dir).filter((entry) => /\.ya?ml$/.test(entry));
  } catch (error) {
    return { error: `cannot list ${shown(dir)}: ${error instanceof Error ? error.message : String(error)}` };
  }
  const named: { path: string; text: string }[] = [];
  const names: string[] = [];
  for (const entry of files.sort()) {
    const path = join(dir, entry);
    let text: string;
    let found: unknown;
    try {
      text = readFileSync(path, 'utf8');
      found = (parse(text) as { name?: unknown } | null)?.name;
    } catch {
      continue; // not a readable definition: it names nothing
    }
    if (typeof found !== 'string') continue;
    names.push(found);
    if (found === name) named.push({ path: shown(path), text });
  }
  if (named.length === 1) return named[0] as { path: string; text: string };
  if (named.length > 1)
    return { error: `several definitions in ${shown(dir)} are named '${name}': ${named.map((n) => n.path).join(', ')}` };
  return { error: `no definition in ${shown(dir)} is named '${name}' (found: ${names.join(', ') || 'none'})` };
};

/** The load options of the definition in `file`: its subgraphs are read, a cycle back to it refused. */
export function graphLoadOptions(file: string): LoadOptions {
  return { readGraph: readGraphFile, findGraph: findGraphByName, chain: [shown(resolve(file))] };
}
