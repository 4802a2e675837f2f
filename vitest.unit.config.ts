import { defineConfig } from 'vitest/config';

/** Unit tier: pure code, no servers. Tests sit in test/unit. */
export default defineConfig({
  test: {
    include: ['test/unit/**/*.test.ts'],
    environment: 'node',
  },
});
