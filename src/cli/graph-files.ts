/**
 * Reading the files `action: graph` tasks name (SPEC §3 rule 19): relative to the definition
 * that names them, when that definition is loaded, so the child definition travels inside
 * the parent's input and editing the file later changes no started run.
 */
import { readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import type { GraphReader, LoadOptions } from '../definition/index.js';

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

/** The load options of the definition in `file`: its subgraphs are read, a cycle back to it refused. */
export function graphLoadOptions(file: string): LoadOptions {
  return { readGraph: readGraphFile, chain: [shown(resolve(file))] };
}
