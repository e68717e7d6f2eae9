import { defineConfig } from 'vitest/config';
// Kernel tests share one machine's namespaces and CPU: run files one at a time.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Subprocess tests run the built CLI (dist/netcanvas.js): build it from this source first.
    globalSetup: ['test/build.global.ts'],
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 60_000,
    reporters: ['default', 'json'],
    outputFile: { json: '../../.test-results/server.json' },
  },
});
