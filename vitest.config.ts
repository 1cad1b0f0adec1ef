import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Integration and e2e suites start real servers, peers and browsers: on a shared 2-core
    // machine, running many files at once makes timeouts flaky, so files run two at a time.
    maxWorkers: 2,
    pool: 'forks',
  },
});
