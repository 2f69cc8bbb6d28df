import { lstatSync, readdirSync } from 'node:fs'
import { join } from 'node:path'

/** One entry of a tree, its path relative to the root with `/` separators. */
export interface TreeEntry {
  path: string
  kind: 'file' | 'dir' | 'link'
  /** Permission bits. */
  mode: number
  size: number
}

/** Every entry under `root`, sorted, parents before children; links are not followed. */
export function listTree(root: string): TreeEntry[] {
  const out: TreeEntry[] = []
  const walk = (dir: string, rel: string) => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name)
      const key = rel ? `${rel}/${name}` : name
      const st = lstatSync(path)
      const kind = st.isSymbolicLink() ? 'link' : st.isDirectory() ? 'dir' : 'file'
      out.push({ path: key, kind, mode: st.mode & 0o7777, size: st.size })
      if (kind === 'dir') walk(path, key)
    }
  }
  walk(root, '')
  return out
}
