import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const src = fileURLToPath(new URL('./src/', import.meta.url));

export default defineConfig({
  // test/support/ imports the server as `#salestrace/*`: in process that is src/ (package.json maps it to dist/).
  resolve: { alias: [{ find: /^#salestrace\/(.*)\.js$/, replacement: `${src}$1.ts` }] },
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
