import { readdirSync, readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'

// protocol/rpc is imported by browser clients (protocol/README.md, "The JSON-RPC 2.0 API"): its
// code may import only its own files and protocol/errors.ts (the one error module protocol/
// shares), and must not lean on Node globals.
const dir = new URL('./', import.meta.url)
// Packages known to run in browsers with no Node built-ins; the list is explicit on purpose.
const BROWSER_SAFE_PACKAGES = ['zod']
const sources = [
  ...readdirSync(dir)
    .filter((name) => name.endsWith('.ts') && !name.endsWith('.test.ts'))
    .map((name) => ({ name, text: readFileSync(new URL(name, dir), 'utf8') })),
  { name: '../errors.ts', text: readFileSync(new URL('../errors.ts', dir), 'utf8') },
]

describe('protocol/rpc is browser-safe', () => {
  it('has sources to check', () => {
    expect(sources.map((s) => s.name)).toContain('../errors.ts')
    expect(sources.map((s) => s.name)).toContain('index.ts')
  })

  it.each(sources.map((s) => [s.name, s.text] as const))('%s imports only files of this folder (or a listed browser-safe package)', (_name, text) => {
    // `import(…)` or `import '…'` (a side-effect import needs the space): not a string value that
    // happens to follow the word, such as the admin page named 'import'.
    const specifiers = [...text.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)['"]([^'"]+)['"]/g)].map((m) => m[1]!)
    for (const specifier of specifiers) {
      if (BROWSER_SAFE_PACKAGES.includes(specifier)) continue
      expect(specifier).toMatch(/^(\.\/[a-z0-9-]+|\.\.\/errors)\.js$/)
    }
    expect(text).not.toMatch(/['"]node:/)
    expect(text).not.toMatch(/\brequire\s*\(/)
  })

  it.each(sources.map((s) => [s.name, s.text] as const))('%s does not use Buffer or process', (_name, text) => {
    expect(text).not.toMatch(/\bBuffer\b/)
    expect(text).not.toMatch(/\bprocess\./)
  })
})
