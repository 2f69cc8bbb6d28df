import { readdir, rm, rmdir } from 'node:fs/promises'
import { join, sep } from 'node:path'
import { pathExists, readManifestDirs, runStep } from './apply-install.js'
import type { DerivedDatabase, InstallPlan } from './install-plan.js'
import type { ToolRunner } from './run-tool.js'

/** What an uninstall did, and the user's data it left (each with whether it exists). */
export interface UninstallOutcome {
  removed: string[]
  notes: string[]
  failures: string[]
  dataLeft: { what: string; path: string; exists: boolean }[]
}

/**
 * Undo an install: stop the service, remove the files, links and trees the plan installs,
 * rebuild (or drop) the databases derived from them, and remove the directories install
 * created once they are empty. The user's own data (settings, paired applications, privacy log)
 * stays, and is named.
 */
export async function applyUninstall(plan: InstallPlan, runTool: ToolRunner): Promise<UninstallOutcome> {
  const outcome: UninstallOutcome = { removed: [], notes: [], failures: [], dataLeft: [] }
  const createdDirs = await readManifestDirs(plan.manifestPath, outcome.notes, 'directories the install created are left in place; remove them yourself if they are empty')
  const installed = (await Promise.all(plan.remove.map((r) => pathExists(r.path)))).some(Boolean)
  // Stopping a service that was never installed only produces noise.
  if (installed) for (const step of plan.beforeRemove) await runStep(step, runTool, outcome)
  for (const item of plan.remove) {
    if (!(await pathExists(item.path))) continue
    await rm(item.path, { recursive: item.tree === true, force: true })
    outcome.removed.push(item.path)
  }
  for (const db of plan.databases) {
    if (!(await pathExists(db.dir))) continue
    if (createdDirs.includes(db.dir) && (await holdsOnlyDerivedData(db))) await rm(db.dir, { recursive: true, force: true })
    else if (installed) await runStep(db.refresh, runTool, outcome)
  }
  if (installed) for (const step of plan.afterRemove) await runStep(step, runTool, outcome)
  if (await pathExists(plan.manifestPath)) {
    await rm(plan.manifestPath, { force: true })
    outcome.removed.push(plan.manifestPath)
  }
  // Deepest first, and only when empty: a directory the user has since put something in stays.
  for (const dir of [...createdDirs].sort((a, b) => b.split(sep).length - a.split(sep).length)) {
    await rmdir(dir).catch(() => undefined)
  }
  for (const d of plan.dataLeft) outcome.dataLeft.push({ ...d, exists: await pathExists(d.path) })
  return outcome
}

/**
 * Whether the database directory holds nothing but what its tool derived: no MIME package
 * left in `packages/`, or no desktop entry beside `mimeinfo.cache`.
 */
async function holdsOnlyDerivedData(db: DerivedDatabase): Promise<boolean> {
  if (db.sources === 'mime-packages') {
    const packages = join(db.dir, 'packages')
    return !(await pathExists(packages)) || (await readdir(packages)).length === 0
  }
  return (await readdir(db.dir)).every((name) => name === 'mimeinfo.cache')
}
