import { availableParallelism } from 'node:os'
import { configDefaults, defineConfig } from 'vitest/config'

// Where test files live; a project narrows this by file name.
const TEST_FILES = '{agent,protocol,clients,installer,test}/**/*.test.ts'
// A file that needs Debian packages, root, a second user or a network namespace says so in its
// name; the README lists which package each group of system tests needs.
const SYSTEM_TEST_FILES = '{agent,protocol,clients,installer,test}/**/*.system.test.ts'

export default defineConfig({
  test: {
    // The closing `N passed, N failed` line CI reads comes from our own reporter,
    // printed after vitest's default summary. Reporters belong to the run, not to a project.
    reporters: ['default', './test/helpers/summary-reporter.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    projects: [
      {
        // Node and `npm ci` only: no root, no Debian packages, no network namespaces.
        extends: true,
        test: {
          name: 'unit',
          include: [TEST_FILES],
          exclude: [...configDefaults.exclude, SYSTEM_TEST_FILES],
          // vitest's default, one worker per core but one, is a single worker on a 2-core
          // machine: the unit project would run its files one after the other. Its tests run
          // side by side on developer machines anyway.
          maxWorkers: Math.max(2, availableParallelism() - 1),
          // Projects with different worker counts run one after the other: unit first.
          sequence: { groupOrder: 0 },
        },
      },
      {
        // SoftHSM2, xmlsec1, samlsign, lxml, Chromium, Xvfb, Java, a second user, netns.
        extends: true,
        test: { name: 'system', include: [SYSTEM_TEST_FILES], sequence: { groupOrder: 1 } },
      },
    ],
  },
})
