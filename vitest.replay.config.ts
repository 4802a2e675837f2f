import { defineConfig } from 'vitest/config';

/** Replay tier: recorded histories in test/histories replayed against today's workflow code. */
export default defineConfig({
  test: {
    include: ['test/replay/**/*.test.ts'],
    environment: 'node',
    testTimeout: 120_000,
  },
});
