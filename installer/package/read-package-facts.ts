import { readFileSync } from 'node:fs'
import { join } from 'node:path'

/** What the packages say about the product, from package.json. */
export interface PackageFacts {
  name: string
  version: string
  description: string
  license: string
  /** package.json `author` as `Name <email>` when it has both. */
  author?: string
  homepage?: string
}

export function readPackageFacts(repoRoot: string): PackageFacts {
  const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as Record<string, unknown>
  const text = (key: string): string => {
    const value = pkg[key]
    if (typeof value !== 'string' || value === '') throw new Error(`package.json has no "${key}"`)
    return value
  }
  const author = formatPerson(pkg.author)
  return {
    name: text('name'),
    version: text('version'),
    description: text('description'),
    license: text('license'),
    ...(author ? { author } : {}),
    ...(typeof pkg.homepage === 'string' ? { homepage: pkg.homepage } : {}),
  }
}

/** npm's `author`, a string `Name <email> (url)` or `{ name, email }`, as `Name <email>`. */
export function formatPerson(value: unknown): string | undefined {
  if (typeof value === 'string') {
    const m = /^\s*([^<(]+?)\s*<([^>\s]+@[^>\s]+)>/.exec(value)
    return m ? `${m[1]} <${m[2]}>` : undefined
  }
  if (value && typeof value === 'object') {
    const { name, email } = value as { name?: unknown; email?: unknown }
    if (typeof name === 'string' && typeof email === 'string') return `${name} <${email}>`
  }
  return undefined
}
