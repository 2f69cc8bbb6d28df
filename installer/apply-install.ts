import * as fs from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { writeFileAtomically } from '../protocol/files/write-file-atomically.js'
import { parseManifest, renderManifest } from './install-manifest.js'
import type { InstallPlan, ToolStep } from './install-plan.js'
import type { ToolRunner } from './run-tool.js'

/** What an install did: files written, and what did not work (with why). */
export interface InstallOutcome {
  written: string[]
  /** Tools that failed or are missing but were not needed (e.g. no user manager in a container). */
  notes: string[]
  /** Steps without which the install does not work (e.g. schtasks on Windows). */
  failures: string[]
}

/**
 * Carry out an install plan on this machine. Every file is written atomically (temporary file,
 * fsync, rename), with the same content each time, so installing twice leaves the same files; the
 * directories that had to be created are recorded for uninstall.
 */
export async function applyInstall(plan: InstallPlan, runTool: ToolRunner): Promise<InstallOutcome> {
  const outcome: InstallOutcome = { written: [], notes: [], failures: [] }
  const created = new Set(await readManifestDirs(plan.manifestPath, outcome.notes, 'it is written anew now; an uninstall will not know which directories earlier installs created'))
  const ensureDir = (dir: string) => makeDirs(dir, created)
  // Directories a database tool makes because of our files (update-mime-database's `application/`)
  // are ours to remove too, once empty.
  const toolDirsBefore = await Promise.all(plan.databases.map((db) => listDirs(db.dir)))
  try {
    for (const step of plan.install) {
      switch (step.kind) {
        case 'file':
          await ensureDir(dirname(step.path))
          await writeWhole(step.path, step.content, step.mode ?? 0o644)
          outcome.written.push(step.path)
          break
        case 'link':
          await ensureDir(dirname(step.path))
          await fs.rm(step.path, { force: true })
          await fs.symlink(step.target, step.path)
          outcome.written.push(step.path)
          break
        case 'dir':
          await ensureDir(step.path)
          break
        case 'remove':
          await fs.rm(step.path, { recursive: true, force: true })
          break
        case 'run':
          await runStep(step, runTool, outcome)
          break
      }
    }
  } finally {
    for (const [i, db] of plan.databases.entries()) {
      for (const dir of await listDirs(db.dir)) if (!toolDirsBefore[i]!.includes(dir)) created.add(dir)
    }
    await ensureDir(dirname(plan.manifestPath))
    await writeWhole(plan.manifestPath, renderManifest({ version: 1, platform: plan.platform, createdDirs: [...created] }), 0o644)
  }
  return outcome
}

/** Run one tool; a failure becomes a note, or a failure of the install when the step is required. */
export async function runStep(step: ToolStep, runTool: ToolRunner, outcome: { notes: string[]; failures: string[] }): Promise<boolean> {
  const result = await runTool(step.command, step.args)
  if (result.code === 0) return true
  const what = result.missing
    ? `${step.command} is not installed, so it could not ${step.why}`
    : `could not ${step.why}: ${[step.command, ...step.args].join(' ')} exited with ${result.code}${firstLine(result.stderr || result.stdout)}`
  ;(step.required ? outcome.failures : outcome.notes).push(what)
  return false
}

/**
 * The directories earlier installs created, from the manifest; none when there is no manifest.
 * A manifest that is not valid counts as none, and a note names the file, the field and `consequence`.
 */
export async function readManifestDirs(path: string, notes: string[], consequence: string): Promise<string[]> {
  let text: string
  try {
    text = await fs.readFile(path, 'utf8')
  } catch {
    return []
  }
  const read = parseManifest(text)
  if (read.ok) return read.manifest.createdDirs
  notes.push(`the install record ${path} is not valid (${read.problem}): ${consequence}`)
  return []
}

/** Every directory under `root` (recursively), or none when it does not exist. */
async function listDirs(root: string): Promise<string[]> {
  try {
    const entries = await fs.readdir(root, { recursive: true, withFileTypes: true })
    return entries.filter((e) => e.isDirectory()).map((e) => join(e.parentPath ?? (e as { path?: string }).path ?? root, e.name))
  } catch {
    return []
  }
}

/** mkdir -p that records each directory it creates (outermost first). */
async function makeDirs(dir: string, created: Set<string>): Promise<void> {
  const missing: string[] = []
  for (let d = dir; !(await pathExists(d)); d = dirname(d)) {
    missing.unshift(d)
    if (dirname(d) === d) break
  }
  for (const d of missing) {
    await fs.mkdir(d)
    created.add(d)
  }
}

async function writeWhole(path: string, content: string | Uint8Array, mode: number): Promise<void> {
  await writeFileAtomically(fs, path, content, { mode })
}

export async function pathExists(path: string): Promise<boolean> {
  try {
    await fs.lstat(path)
    return true
  } catch {
    return false
  }
}

function firstLine(text: string): string {
  const line = text.trim().split('\n')[0]?.trim()
  return line ? ` (${line.slice(0, 200)})` : ''
}
