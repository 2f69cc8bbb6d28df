import { execFileSync } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

// Comments and docs cite public sources only: specs by section, eHealth documents by title and
// version, public repositories by owner/name and path. Documents that live outside the repository
// (working notes, issue numbers of a private tracker, design notes kept elsewhere) mean nothing to
// a reader of the code, so none may be cited. The threat ids (T1..T18) are defined in the README's
// "Security model", which is in the repository.
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..')
const SELF = 'test/public-citations.test.ts'

/** Citations of documents outside the repository. */
const PRIVATE_CITATIONS: readonly RegExp[] = [
  /seed ?0[0-9]{2}|seeds?\/|the seed|issue [0-9]+|ARCHITECTURE\.md|threats\.md|reference §|style-anchors|ehealth-protocol\.md/i,
  /\bARCHITECTURE\b/,
]

const SKIPPED = (path: string): boolean =>
  path === SELF || path === 'package-lock.json' || /^(node_modules|dist)\//.test(path) || path.split('/').includes('node_modules')

/** The tracked files; outside a git checkout (a copied tree), every file but what .gitignore names. */
function listFiles(): string[] {
  try {
    return execFileSync('git', ['ls-files', '-z'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 64 << 20 })
      .split('\0')
      .filter(Boolean)
  } catch {
    const ignored = new Set(['.git', 'node_modules', 'dist', 'test-artifacts', '.state', '.package-cache'])
    const walk = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
        if (ignored.has(e.name) || e.name.endsWith('.log')) return []
        const full = join(dir, e.name)
        return e.isDirectory() ? walk(full) : e.isFile() ? [relative(ROOT, full).split(sep).join('/')] : []
      })
    return walk(ROOT)
  }
}

/** `path:line: text` for every line of `text` that cites a document outside the repository. */
function findPrivateCitations(path: string, text: string): string[] {
  if (text.includes('\0')) return [] // binary
  return text.split('\n').flatMap((line, i) => (PRIVATE_CITATIONS.some((re) => re.test(line)) ? [`${path}:${i + 1}: ${line.trim().slice(0, 160)}`] : []))
}

describe('comments and docs cite public sources only', () => {
  const files = listFiles().filter((p) => !SKIPPED(p))

  it('reads the repository: sources, docs and tests', () => {
    expect(files).toEqual(expect.arrayContaining(['README.md', 'protocol/README.md', 'agent/main.ts', 'protocol/errors.ts', 'test/top-level.test.ts']))
    expect(files).not.toContain(SELF)
    expect(files.some((p) => p.startsWith('node_modules/') || p.startsWith('dist/'))).toBe(false)
  })

  it('no file cites a document outside the repository', () => {
    const hits = files.flatMap((p) => findPrivateCitations(p, readFileSync(join(ROOT, p), 'utf8')))
    expect(hits).toEqual([])
  })

  it('the check catches each kind of private citation and lets public ones through (synthetic lines)', () => {
    const caught = [
      '// (seed 003 §1.5: a privacy log)',
      ' * Seed 004\'s fault',
      'as in seeds/004.txt',
      'the seed says only',
      '// (issue 12)',
      '# Signing in (Issue 8)',
      '// ARCHITECTURE.md: protocol/ is pure',
      '// (ARCHITECTURE, performance rules)',
      'see threats.md',
      '(reference §3.2)',
      'style-anchors',
      'ehealth-protocol.md §0',
    ]
    for (const line of caught) expect(findPrivateCitations('x.ts', line), line).toHaveLength(1)
    const passed = [
      '// IAM eXchange Annex A §1.5: the privacy log',
      '// TC `STSServiceWsTrustImpl.issueHokToken`; WS-Trust 1.3 §11',
      '// threat T5 (README, "Security model")',
      '/** mulberry32: small, seedable; its seed value is printed on failure. */',
      'the software architecture of the agent',
    ]
    for (const line of passed) expect(findPrivateCitations('x.ts', line), line).toEqual([])
  })
})
