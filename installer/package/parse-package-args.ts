/** What `npm run package -- …` asks for. */
export interface PackageOptions {
  /** Where the packages go (created; files of an earlier run are replaced). */
  outDir: string
  /** Which artifacts: the application tree is always built, the others from it. */
  targets: PackageTarget[]
  /** Node.js version of the bundled runtimes; default the version running the packager. */
  nodeVersion: string
  /** Where downloaded runtimes are kept between runs. */
  cacheDir: string
  /** `Name <email>` for the Debian control file; default package.json's author, else the commit's. */
  maintainer?: string
}

export const PACKAGE_TARGETS = ['deb', 'npm', 'msi'] as const
export type PackageTarget = (typeof PACKAGE_TARGETS)[number]

export const PACKAGE_USAGE = `usage: npm run package -- --out DIR [--only deb,npm,msi] [--node-version 20.x.y] [--cache DIR] [--maintainer "Name <email>"]

Builds into DIR: the self-contained application tree (Linux x64), the Debian package, the npm
tarball and the Windows MSI (with its own Windows application tree).`

/** Parses the packager's arguments; throws an Error naming the mistake. */
export function parsePackageArgs(argv: readonly string[], defaults: { nodeVersion: string; cacheDir: string }): PackageOptions {
  const values = new Map<string, string>()
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    const eq = arg.indexOf('=')
    const name = arg.startsWith('--') ? (eq === -1 ? arg.slice(2) : arg.slice(2, eq)) : undefined
    if (!name || !['out', 'only', 'node-version', 'cache', 'maintainer'].includes(name)) throw new Error(`unknown argument ${JSON.stringify(arg)}`)
    const value = eq === -1 ? argv[++i] : arg.slice(eq + 1)
    if (value === undefined || value === '') throw new Error(`--${name} needs a value`)
    values.set(name, value)
  }
  const outDir = values.get('out')
  if (!outDir) throw new Error('--out DIR is required')
  const targets = (values.get('only') ?? PACKAGE_TARGETS.join(',')).split(',').map((t) => t.trim())
  for (const t of targets) if (!(PACKAGE_TARGETS as readonly string[]).includes(t)) throw new Error(`--only: unknown package "${t}" (choose from ${PACKAGE_TARGETS.join(', ')})`)
  const nodeVersion = values.get('node-version') ?? defaults.nodeVersion
  if (!/^\d+\.\d+\.\d+$/.test(nodeVersion)) throw new Error(`--node-version: not a version: ${nodeVersion}`)
  const maintainer = values.get('maintainer')
  if (maintainer !== undefined && !/^[^<>]+ <[^<>@\s]+@[^<>\s]+>$/.test(maintainer)) throw new Error(`--maintainer must look like "Name <email>": ${maintainer}`)
  return {
    outDir,
    targets: [...new Set(targets)] as PackageTarget[],
    nodeVersion,
    cacheDir: values.get('cache') ?? defaults.cacheDir,
    ...(maintainer ? { maintainer } : {}),
  }
}
