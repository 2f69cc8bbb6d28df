import { lstatSync, readdirSync, readFileSync, readlinkSync } from 'node:fs'
import { join } from 'node:path'

/**
 * A directory tree as comparable data: every entry (relative path) with its type, permission
 * bits, and a file's content or a link's target. Modification times are left out: "the same
 * files" means the same names, modes and bytes.
 */
export function snapshotTree(root: string): Record<string, string> {
  const out: Record<string, string> = {}
  const walk = (dir: string, rel: string) => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name)
      const key = rel ? `${rel}/${name}` : name
      const st = lstatSync(path)
      const mode = (st.mode & 0o7777).toString(8)
      if (st.isSymbolicLink()) out[key] = `link ${readlinkSync(path)}`
      else if (st.isDirectory()) {
        out[key] = `dir ${mode}`
        walk(path, key)
      } else out[key] = `file ${mode} ${readFileSync(path).toString('base64')}`
    }
  }
  walk(root, '')
  return out
}
