import type { Reporter, TestModule } from 'vitest/node'

/** The projects of vitest.config.ts, in the order they are reported. */
const PROJECT_ORDER = ['unit', 'system']
const rank = (name: string) => (PROJECT_ORDER.includes(name) ? PROJECT_ORDER.indexOf(name) : PROJECT_ORDER.length)

/**
 * Prints the closing line `N passed, N failed` that `.ci/run` and the README promise, over every
 * project that ran (`unit`, `system`), preceded by one line per project when more than one ran.
 * A file that fails to load (syntax error, missing system package) counts as one failure,
 * so a broken suite can never look green.
 */
export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<unknown>): void {
    const projects = new Map<string, { passed: number; failed: number }>()
    for (const mod of testModules) {
      const name = mod.project.name || 'default'
      const counts = projects.get(name) ?? { passed: 0, failed: 0 }
      projects.set(name, counts)
      let seen = 0
      for (const test of mod.children.allTests()) {
        seen++
        const state = test.result().state
        if (state === 'passed') counts.passed++
        else counts.failed++ // failed, skipped or pending: a test that did not pass proves nothing
      }
      if (seen === 0 || mod.state() === 'failed') {
        if (mod.errors().length > 0) counts.failed++
      }
    }
    let passed = 0
    let failed = unhandledErrors.length
    const lines: string[] = []
    for (const [name, counts] of [...projects].sort(([a], [b]) => rank(a) - rank(b) || a.localeCompare(b))) {
      passed += counts.passed
      failed += counts.failed
      lines.push(`${name}: ${counts.passed} passed, ${counts.failed} failed`)
    }
    if (projects.size > 1) process.stdout.write(`\n${lines.join('\n')}`)
    process.stdout.write(`\n${passed} passed, ${failed} failed\n`)
  }
}
