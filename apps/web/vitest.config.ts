import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // A guard against a hang, not a speed check (speed lives in `pnpm bench`): the default 5 s
    // was passed by property tests and jsdom renders on a loaded 2-core machine.
    testTimeout: 60_000,
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    reporters: ['default', 'json'],
    outputFile: { json: '../../.test-results/web.json' },
  },
});
