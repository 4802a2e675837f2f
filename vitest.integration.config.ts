import { defineConfig } from 'vitest/config';

/**
 * Integration tier: a real Temporal dev server, started once for the whole tier by
 * test/integration/global-setup.ts on free 127.0.0.1 ports (or TEMPORAL_ADDRESS).
 */
export default defineConfig({
  test: {
    include: ['test/integration/**/*.test.ts'],
    environment: 'node',
    globalSetup: ['test/integration/global-setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 180_000,
    // Two cores: run files one after another so a slow machine is not mistaken for a bug.
    fileParallelism: false,
  },
});
