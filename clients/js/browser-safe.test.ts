import { existsSync, readFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

// The browser entry of the JS client (index.ts) runs in web pages and extensions: every file it
// pulls in, followed import by import, must stay clear of Node (no `node:` module, no Buffer, no
// process) and import no package but the listed browser-safe ones. node.ts is the Node entry.
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..')
const ENTRY = join(ROOT, 'clients', 'js', 'index.ts')
/** Packages known to run in browsers with no Node built-ins; the list is explicit on purpose. */
const BROWSER_SAFE_PACKAGES = ['zod']

/** Import and re-export specifiers of a source text (static, type-only and dynamic alike). */
function specifiersOf(text: string): string[] {
  return [...text.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)['"]([^'"]+)['"]/g)].map((m) => m[1]!)
}

/** Every source file reachable from `entry` through relative imports, with the specifiers it uses. */
function reachable(entry: string): Map<string, string[]> {
  const seen = new Map<string, string[]>()
  const queue = [entry]
  while (queue.length) {
    const file = queue.pop()!
    if (seen.has(file)) continue
    const specifiers = specifiersOf(readFileSync(file, 'utf8'))
    seen.set(file, specifiers)
    for (const s of specifiers) {
      if (!s.startsWith('.')) continue
      const target = resolve(dirname(file), s.replace(/\.js$/, '.ts'))
      if (!existsSync(target)) throw new Error(`${relative(ROOT, file)} imports ${s}, which does not exist`)
      queue.push(target)
    }
  }
  return seen
}

const files = reachable(ENTRY)
const code = (file: string) =>
  readFileSync(file, 'utf8')
    .replace(/\/\*[\s\S]*?\*\//g, '') // comments may mention what is forbidden
    .replace(/(^|[^:])\/\/.*$/gm, '$1')

describe('clients/js/index.ts is browser-safe', () => {
  it('reaches the client, the error module and the method catalogue (the walk follows imports)', () => {
    const names = [...files.keys()].map((f) => relative(ROOT, f))
    expect(names).toEqual(expect.arrayContaining(['clients/js/index.ts', 'clients/js/agent-client.ts', 'protocol/errors.ts', 'protocol/rpc/methods.ts']))
    // The Node half stays out of the browser entry's reach.
    expect(names).not.toContain('clients/js/discover-agent.ts')
  })

  it.each([...files].map(([file, specifiers]) => [relative(ROOT, file), specifiers] as const))('%s imports no Node module and no package outside the browser-safe list', (_name, specifiers) => {
    for (const s of specifiers) {
      if (s.startsWith('.')) continue
      expect(BROWSER_SAFE_PACKAGES, `imports "${s}"`).toContain(s)
    }
  })

  it.each([...files.keys()].map((file) => [relative(ROOT, file), file] as const))('%s does not use Buffer or process', (_name, file) => {
    const text = code(file)
    expect(text).not.toMatch(/\bBuffer\b/)
    expect(text).not.toMatch(/\bprocess\./)
    expect(text).not.toMatch(/\brequire\s*\(/)
  })

  it('the check catches a Node import and a Buffer (a synthetic source)', () => {
    expect(specifiersOf(`import { readFile } from 'node:fs/promises'\nexport * from './x.js'`)).toEqual(['node:fs/promises', './x.js'])
    expect(specifiersOf(`const m = await import('node:os')`)).toEqual(['node:os'])
    expect(/\bBuffer\b/.test(code(ENTRY) + '\nBuffer.from("x")')).toBe(true)
  })
})
