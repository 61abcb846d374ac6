import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    root: new URL('..', import.meta.url).pathname,
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Most files spend their time waiting (simulated latency, retries, worker processes): two at a
    // time halves the suite on the 2-core CI machine (about 5 instead of 8 minutes per database).
    maxWorkers: 2,
  },
});
