import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Separate processes: each inherits NODE_EXTRA_CA_CERTS from the global setup, so HTTPS
    // clients (b24jssdk uses axios) trust the test certificate without any client patching.
    pool: 'forks',
    globalSetup: ['test/helpers/globalSetup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
