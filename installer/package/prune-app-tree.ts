import { existsSync, lstatSync, readdirSync, rmSync } from 'node:fs'
import { join, relative } from 'node:path'
import { detectBinaryFormat, NATIVE_FORMAT } from './detect-binary-format.js'
import { readFileHead } from './read-file-head.js'
import type { TreePlatform } from './app-tree-layout.js'

/** What pruning removed, for the build log. */
export interface PruneReport {
  removed: string[]
  bytes: number
}

/**
 * Removes from a tree's `node_modules` what the installed agent never runs, so packages carry
 * neither dead weight nor executables of another OS:
 * - executables and libraries for other systems (systray2 ships its helper for Linux, macOS and
 *   Windows side by side; a Linux-built `.node` addon cannot load on Windows), told by their
 *   first bytes, not by their names;
 * - node-gyp's intermediate files (a `build/` folder holding `config.gypi`): only the built
 *   `Release/*.node` is loaded;
 * - `.bin/` command shims, which are for a developer's shell, and the packages' own dot-files
 *   (`.eslintrc`, `.npmignore`, `.travis.yml`, npm's hidden lockfile): tooling, never loaded.
 * The agent's own addon in `dist/native/` is kept or removed by the same first-bytes rule.
 */
export function pruneAppTree(treeDir: string, platform: TreePlatform): PruneReport {
  const report: PruneReport = { removed: [], bytes: 0 }
  const remove = (path: string) => {
    report.bytes += sizeOf(path)
    report.removed.push(relative(treeDir, path))
    rmSync(path, { recursive: true, force: true })
  }
  const walk = (dir: string) => {
    const names = readdirSync(dir)
    if (names.includes('config.gypi') && dir.endsWith('build')) {
      for (const name of names) {
        if (name !== 'Release') remove(join(dir, name))
        else for (const built of readdirSync(join(dir, name))) if (!built.endsWith('.node')) remove(join(dir, name, built))
      }
    }
    for (const name of readdirSync(dir)) {
      const path = join(dir, name)
      const st = lstatSync(path)
      if (st.isSymbolicLink()) continue
      if (name.startsWith('.')) remove(path)
      else if (st.isDirectory()) {
        walk(path)
      } else if (st.isFile() && st.size >= 4) {
        const format = detectBinaryFormat(readFileHead(path))
        if (format && format !== NATIVE_FORMAT[platform]) remove(path)
      }
    }
  }
  walk(join(treeDir, 'node_modules'))
  // The agent's own addon (dist/native/, built on Linux by installer/build/build-native.ts):
  // what is not for this OS goes, as in node_modules.
  const native = join(treeDir, 'dist', 'native')
  if (existsSync(native)) {
    walk(native)
    // Emptied (a Windows tree): no folder left behind for the MSI to miss.
    if (readdirSync(native).length === 0) rmSync(native, { recursive: true })
  }
  return report
}

function sizeOf(path: string): number {
  const st = lstatSync(path)
  if (!st.isDirectory()) return st.size
  return readdirSync(path).reduce((sum, name) => sum + sizeOf(join(path, name)), 0)
}
