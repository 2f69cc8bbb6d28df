import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['{agent,protocol,clients,installer,test}/**/*.test.ts'],
    // The closing `N passed, N failed` line CI reads comes from our own reporter,
    // printed after vitest's default summary.
    reporters: ['default', './test/helpers/summary-reporter.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
})
