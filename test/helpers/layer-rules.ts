import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, posix } from 'node:path'

/**
 * The dependency lines of the repository, as a checker the boundary tests run on the real
 * sources and on synthetic ones (to show each line is enforced):
 *
 *   protocol/               imports only protocol/
 *   agent/ (the daemon)     imports protocol/ and agent/, never agent/sandbox/, clients/, installer/
 *   agent/sandbox/          imports only protocol/ and agent/sandbox/
 *   clients/                imports only protocol/ and clients/; clients/cli/load-server.ts alone
 *                           may reach agent/ and installer/, by dynamic import()
 *   installer/              imports only protocol/ and installer/
 *
 * Packages (`zod`, `node:fs`) are not layers and are not checked here. Every import form counts:
 * static, type-only, re-export, side-effect, dynamic `import()` (also `typeof import()`), and
 * `require()`; a dynamic import whose target is computed cannot be checked and is refused.
 */

export const LAYERS = ['protocol', 'daemon', 'sandbox', 'clients', 'installer'] as const
export type Layer = (typeof LAYERS)[number]

/** What each layer may import. */
export const ALLOWED: Record<Layer, readonly Layer[]> = {
  protocol: ['protocol'],
  daemon: ['protocol', 'daemon'],
  sandbox: ['protocol', 'sandbox'],
  clients: ['protocol', 'clients'],
  installer: ['protocol', 'installer'],
}

/** The CLI's loader, the one file of clients/ that may load the daemon, the sandbox and the installer. */
export const LOADER = 'clients/cli/load-server.ts'
const LOADER_MAY_LOAD: readonly Layer[] = ['daemon', 'sandbox', 'installer']

export interface SourceFile {
  /** Repository-relative, `/`-separated. */
  path: string
  text: string
}

export interface ImportUse {
  specifier: string
  dynamic: boolean
  line: number
}

export interface Violation {
  file: string
  line: number
  specifier: string
  /** What is wrong, in words. */
  problem: string
}

/** The layer a repository path belongs to; undefined outside the four source folders (test/, bin/, …). */
export function layerOf(path: string): Layer | undefined {
  if (path.startsWith('protocol/')) return 'protocol'
  if (path.startsWith('agent/sandbox/')) return 'sandbox'
  if (path.startsWith('agent/')) return 'daemon'
  if (path.startsWith('clients/')) return 'clients'
  if (path.startsWith('installer/')) return 'installer'
  return undefined
}

const FOLDER_OF: Record<Layer, string> = { protocol: 'protocol/', daemon: 'agent/ (outside agent/sandbox/)', sandbox: 'agent/sandbox/', clients: 'clients/', installer: 'installer/' }

/**
 * The imports of a source, by line. Comment lines (`//`, `/*`, ` * ` of a doc comment) are
 * skipped, so prose and examples in comments are not taken for imports.
 */
export function findImports(text: string): ImportUse[] {
  const lines = text.split('\n')
  const code = lines.map((l) => (/^\s*(\/\/|\/\*|\*)/.test(l) ? '' : l)).join('\n')
  const lineAt = (index: number) => code.slice(0, index).split('\n').length
  const found: ImportUse[] = []
  const add = (specifier: string, dynamic: boolean, index: number) => found.push({ specifier, dynamic, line: lineAt(index) })
  // import … from '…' / export … from '…' (also type-only and over several lines)
  // (the part between the keyword and `from` holds no quote, no `;` and no other import/export)
  for (const m of code.matchAll(/^[ \t]*(?:import|export)\b(?:(?!\b(?:import|export)\b)[^;'"`])*?\bfrom[ \t]*['"]([^'"]+)['"]/gm)) add(m[1]!, false, m.index)
  // import '…' (side effects only)
  for (const m of code.matchAll(/^[ \t]*import[ \t]*['"]([^'"]+)['"]/gm)) add(m[1]!, false, m.index)
  // import('…'), typeof import('…'), require('…')
  for (const m of code.matchAll(/\b(import|require)[ \t]*\([ \t]*(['"`])([^'"`$]*)\2[ \t]*\)/g)) add(m[3]!, m[1] === 'import', m.index)
  // import(expression), require(variable), a template with ${…}: the target cannot be known from the source
  for (const m of code.matchAll(/\b(import|require)[ \t]*\((?![ \t]*(['"`])[^'"`$]*\2[ \t]*\))/g)) add('<computed>', true, m.index)
  return found.sort((a, b) => a.line - b.line)
}

/** Every import of `file` that crosses a line it may not cross. */
export function checkFile(file: SourceFile): Violation[] {
  const from = layerOf(file.path)
  if (!from) return []
  const violations: Violation[] = []
  for (const use of findImports(file.text)) {
    const at = { file: file.path, line: use.line, specifier: use.specifier }
    if (use.specifier === '<computed>') {
      violations.push({ ...at, problem: 'imports a computed specifier: its target cannot be checked' })
      continue
    }
    if (use.specifier.startsWith('/') || /^[A-Za-z]:[\\/]/.test(use.specifier)) {
      violations.push({ ...at, problem: 'imports by absolute path' })
      continue
    }
    if (!use.specifier.startsWith('.')) continue // a package
    const target = posix.normalize(posix.join(posix.dirname(file.path), use.specifier))
    const to = layerOf(target)
    if (to && ALLOWED[from].includes(to)) continue
    if (file.path === LOADER && use.dynamic && to && LOADER_MAY_LOAD.includes(to)) continue
    const where = to ? FOLDER_OF[to] : target
    const exception = from === 'clients' && to && LOADER_MAY_LOAD.includes(to) ? ` (only ${LOADER} may load it, by dynamic import)` : ''
    violations.push({ ...at, problem: `${FOLDER_OF[from]} may not import ${where}: ${target}${exception}` })
  }
  return violations
}

/** The non-test sources of the four folders, relative to `root`. */
export function readSources(root: string): SourceFile[] {
  const out: SourceFile[] = []
  const walk = (dir: string) => {
    for (const name of readdirSync(join(root, dir))) {
      const path = posix.join(dir, name)
      if (name === 'node_modules') continue
      if (statSync(join(root, path)).isDirectory()) walk(path)
      else if (/\.(ts|js|mjs)$/.test(name) && !/\.test\.ts$/.test(name)) out.push({ path, text: readFileSync(join(root, path), 'utf8') })
    }
  }
  for (const dir of ['protocol', 'agent', 'clients', 'installer']) walk(dir)
  return out
}
