/**
 * Prebuilds the workflow bundle (the interpreter and everything it imports, as the SDK's
 * sandbox loads it) into one file, so a worker started with SWITCHYARD_WORKFLOW_BUNDLE
 * pointing at it skips bundling at start. The Dockerfile runs this at image build time.
 *
 *   npm run bundle-workflows -- [OUT]     (default: dist/workflow-bundle.js)
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { WORKFLOWS_PATH } from '../src/worker.js';

/** Where the bundle goes when no path is given. */
export const DEFAULT_BUNDLE_PATH = 'dist/workflow-bundle.js';

async function main(): Promise<void> {
  const out = resolve(process.argv[2] ?? DEFAULT_BUNDLE_PATH);
  const { code } = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH });
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, code);
  console.log(`workflow bundle: ${out} (${code.length} bytes)`);
}

main().catch((err: unknown) => {
  console.error(`bundle-workflows: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
