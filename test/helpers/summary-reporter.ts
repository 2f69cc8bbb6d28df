import type { Reporter, TestModule } from 'vitest/node'

/**
 * Prints the closing line `N passed, N failed` that `.ci/run` and the README promise.
 * A file that fails to load (syntax error, missing system package) counts as one failure,
 * so a broken suite can never look green.
 */
export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<unknown>): void {
    let passed = 0
    let failed = 0
    for (const mod of testModules) {
      let seen = 0
      for (const test of mod.children.allTests()) {
        seen++
        const state = test.result().state
        if (state === 'passed') passed++
        else failed++ // failed, skipped or pending: a test that did not pass proves nothing
      }
      if (seen === 0 || mod.state() === 'failed') {
        if (mod.errors().length > 0) failed++
      }
    }
    failed += unhandledErrors.length
    process.stdout.write(`\n${passed} passed, ${failed} failed\n`)
  }
}
