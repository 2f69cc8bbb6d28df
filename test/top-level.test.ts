import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

// The top level is the product's design card: the manifest and its lock file, the TypeScript
// configurations, the README, CI, the four source folders and the tests, plus what the tools
// need (bin/ for npm's `bin`, the vitest configuration, .gitignore). Anything else is a folder
// that should live inside one of these.
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..')
const DESIGN_CARD = ['package.json', 'tsconfig.json', 'README.md', '.ci', 'protocol', 'agent', 'clients', 'installer', 'test']
const TOOLS = ['bin', 'vitest.config.ts', 'package-lock.json', 'tsconfig.build.json', '.gitignore', '.git']

/** Names .gitignore keeps out of the repository (`name/`, `name` and `*.ext` patterns). */
function ignoredBy(gitignore: string): (name: string) => boolean {
  const patterns = gitignore
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => l.replace(/^\//, '').replace(/\/$/, ''))
  return (name) => patterns.some((p) => (p.startsWith('*.') ? name.endsWith(p.slice(1)) : p === name))
}

/** What is at the top level beyond the card and the tools, and what of the card is missing. */
function compareTopLevel(entries: readonly string[], ignored: (name: string) => boolean): { unexpected: string[]; missing: string[] } {
  const allowed = new Set([...DESIGN_CARD, ...TOOLS])
  const present = entries.filter((e) => !ignored(e))
  return { unexpected: present.filter((e) => !allowed.has(e)).sort(), missing: DESIGN_CARD.filter((e) => !present.includes(e)) }
}

describe('the top level is the design card', () => {
  const ignored = ignoredBy(readFileSync(join(ROOT, '.gitignore'), 'utf8'))

  it('holds the card\'s entries and the tools\' files, nothing else', () => {
    expect(compareTopLevel(readdirSync(ROOT), ignored)).toEqual({ unexpected: [], missing: [] })
  })

  it('the comparison catches a stray folder and a missing one (synthetic listing)', () => {
    const listing = [...DESIGN_CARD.filter((e) => e !== 'installer'), ...TOOLS, 'src', 'sandbox', 'node_modules', 'dist', 'debug.log']
    expect(compareTopLevel(listing, ignored)).toEqual({ unexpected: ['sandbox', 'src'], missing: ['installer'] })
  })
})
