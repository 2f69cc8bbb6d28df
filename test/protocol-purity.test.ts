import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { describe, expect, it } from 'vitest'

// protocol/ is pure codecs (protocol/README.md). No I/O, no process, no timers, no ambient clock or
// randomness: those are injected, which is what makes golden files byte-identical.
const ROOT = new URL('../protocol/', import.meta.url).pathname
const FORBIDDEN: [RegExp, string][] = [
  [/from ['"](node:)?(fs|fs\/promises|net|http|https|http2|child_process|os|tls|dgram|dns|worker_threads|cluster|readline|process)['"]/, 'an I/O or process module'],
  [/\bimport\(/, 'a dynamic import'],
  [/\bprocess\.(env|argv|exit|cwd|stdout|stderr|stdin|hrtime|nextTick)\b/, 'process state'],
  [/\bDate\.now\(/, 'the ambient clock (Date.now)'],
  [/new Date\(\s*\)/, 'the ambient clock (new Date())'],
  [/\bperformance\.now\(/, 'the ambient clock (performance.now)'],
  [/\bMath\.random\(/, 'ambient randomness (Math.random)'],
  [/\b(randomUUID|randomBytes|getRandomValues|randomInt)\b/, 'ambient randomness (crypto random)'],
  [/\b(setTimeout|setInterval|setImmediate)\(/, 'a timer'],
  [/\brequire\(/, 'require()'],
]

function sourceFiles(dir: string): string[] {
  const out: string[] = []
  for (const name of readdirSync(dir)) {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) out.push(...sourceFiles(path))
    else if (name.endsWith('.ts') && !name.endsWith('.test.ts')) out.push(path)
  }
  return out
}

describe('protocol/ is pure', () => {
  const files = sourceFiles(ROOT)
  it('has source files to check', () => {
    expect(files.length).toBeGreaterThan(10)
  })
  for (const file of files) {
    it(`${relative(ROOT, file)} has no I/O, process, timers, ambient clock or randomness`, () => {
      const code = readFileSync(file, 'utf8')
        .replace(/\/\*[\s\S]*?\*\//g, '') // comments may mention what is forbidden
        .replace(/(^|[^:])\/\/.*$/gm, '$1')
      const found = FORBIDDEN.filter(([re]) => re.test(code)).map(([, what]) => what)
      expect(found, `${relative(ROOT, file)} uses ${found.join(', ')}`).toEqual([])
    })
  }
})
