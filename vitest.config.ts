import { defineConfig } from 'vitest/config';

// Unit tests run in Node on the tfjs CPU backend (see vitest.setup.ts).
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'scripts/**/*.test.ts'],
    environment: 'node',
    testTimeout: 60_000,
    pool: 'forks',
    setupFiles: ['./vitest.setup.ts'],
    // Exact-message tests: show the whole expected and actual text when they differ.
    chaiConfig: { truncateThreshold: 0 },
  },
});
