/**
 * The installation's own package.json: where the installation is, and its version. Read by the
 * CLI's entry (main.ts); checked against a schema like every file the programs read.
 */
import { existsSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import * as z from 'zod'

const NAME = 'ehealth-agent'

/** The fields of our package.json the agent reads. */
const PACKAGE_JSON_SCHEMA = z.object({ name: z.literal(NAME), version: z.string().min(1) })

export type PackageJson = z.infer<typeof PACKAGE_JSON_SCHEMA>

/**
 * The installation's root: the nearest folder at or above `start` with our package.json.
 * Bundled (dist/bundle/), compiled by tsc (dist/clients/cli/) and from source (clients/cli/, in
 * tests) it is two or three levels up.
 */
export function findPackageRoot(start: URL): string {
  for (let dir = new URL('./', start); ; dir = new URL('../', dir)) {
    const candidate = new URL('package.json', dir)
    // Another project's package.json on the way up may be anything; it is only not ours.
    if (existsSync(candidate) && z.object({ name: z.literal(NAME) }).safeParse(readJson(candidate)).success) {
      return fileURLToPath(dir).replace(/\/$/, '')
    }
    if (dir.pathname === '/') throw new Error(`${NAME}: cannot find its package.json`)
  }
}

/** Our package.json under `root`, checked: a broken installation is named, not run with version `undefined`. */
export function readPackageJson(root: string): PackageJson {
  const file = `${root}/package.json`
  const parsed = PACKAGE_JSON_SCHEMA.safeParse(readJson(file))
  if (parsed.success) return parsed.data
  const issue = parsed.error.issues[0]!
  throw new Error(`${NAME}: ${file} is not valid (${issue.path.join('.') || '(root)'}: ${issue.message}); reinstall ${NAME}`)
}

function readJson(file: string | URL): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'))
  } catch {
    return undefined
  }
}
