/**
 * src/definition runs inside the workflow sandbox. Bundling a workflow that imports it fails
 * if any module it pulls in is disallowed there (Node built-ins, I/O), so this guards the wall.
 */
import { bundleWorkflowCode } from '@temporalio/worker';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const quiet = { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} };
const fixture = (name: string): string => fileURLToPath(new URL(`../../fixtures/workflows/${name}`, import.meta.url));

describe('src/definition in the workflow sandbox', () => {
  it('bundles into workflow code', { timeout: 120_000 }, async () => {
    const bundle = await bundleWorkflowCode({ workflowsPath: fixture('uses-definition.ts'), logger: quiet });
    expect(bundle.code).toContain('usesDefinition');
    expect(bundle.code).toContain('jsonata');
  });

  it('would fail for a module the sandbox disallows (control)', { timeout: 120_000 }, async () => {
    const errors: string[] = [];
    const logger = { ...quiet, error: (message: string) => errors.push(message) };
    await expect(bundleWorkflowCode({ workflowsPath: fixture('uses-node-fs.ts'), logger })).rejects.toThrow(
      /Webpack finished with errors/,
    );
    expect(errors.join('\n')).toMatch(/"node:fs"/);
  });

  it('the fixture workflow works', async () => {
    const { usesDefinition } = await import('../../fixtures/workflows/uses-definition.js');
    const result = await usesDefinition(
      'version: 1\nname: x\ntasks:\n  a: { action: noop, next: [{ do: b }] }\n  b: { action: noop }\n',
    );
    expect(result).toEqual({ tasks: 2, rendered: 42, holds: true, ms: 60_000 });
  });
});
