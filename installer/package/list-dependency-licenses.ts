import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join, posix } from 'node:path'
import type { DependencyLicense } from './render-deb-metadata.js'
import { formatPerson } from './read-package-facts.js'

/**
 * Every package installed under `<treeDir>/node_modules` (scoped and nested ones too) with the
 * licence and authors its package.json declares and its licence file, paths given as installed
 * under `installedRoot` (e.g. `usr/lib/ehealth-agent`).
 */
export function listDependencyLicenses(treeDir: string, installedRoot: string): DependencyLicense[] {
  const out: DependencyLicense[] = []
  const visit = (modulesDir: string, rel: string) => {
    if (!existsSync(modulesDir)) return
    for (const name of readdirSync(modulesDir).sort()) {
      if (name.startsWith('.')) continue
      if (name.startsWith('@')) {
        for (const scoped of readdirSync(join(modulesDir, name)).sort()) visitPackage(join(modulesDir, name, scoped), `${rel}/${name}/${scoped}`)
      } else visitPackage(join(modulesDir, name), `${rel}/${name}`)
    }
  }
  const visitPackage = (dir: string, rel: string) => {
    const manifest = join(dir, 'package.json')
    if (!existsSync(manifest)) return
    const pkg = JSON.parse(readFileSync(manifest, 'utf8')) as Record<string, unknown>
    const licenseFile = readdirSync(dir).find((f) => /^(licen[cs]e|copying)(\.|-|$)/i.test(f))
    const author = formatPerson(pkg.author) ?? (typeof pkg.author === 'string' ? pkg.author : undefined)
    const installed = posix.join(installedRoot, rel)
    out.push({
      path: installed,
      name: String(pkg.name ?? rel.split('/').pop()),
      version: String(pkg.version ?? 'unknown'),
      license: describeLicense(pkg.license),
      copyright: author ?? `the authors of ${String(pkg.name)}`,
      ...(licenseFile ? { licenseFile: `/${installed}/${licenseFile}` } : {}),
    })
    visit(join(dir, 'node_modules'), `${rel}/node_modules`)
  }
  visit(join(treeDir, 'node_modules'), 'node_modules')
  return out
}

/** An SPDX expression as copyright-format wants a licence name: `or` / `and` spelled out. */
function describeLicense(value: unknown): string {
  const text = typeof value === 'string' ? value : typeof value === 'object' && value && 'type' in value ? String((value as { type: unknown }).type) : 'unknown'
  return text.replace(/^\((.*)\)$/, '$1').replace(/\s+OR\s+/g, ' or ').replace(/\s+AND\s+/g, ' and ')
}
