/**
 * The tray icon through systray2 (the only file that imports it). systray2 runs a small helper
 * program (Go, getlantern/systray) and talks JSON lines with it: the helper prints
 * `{"type":"ready"}`, reads the menu, then prints `{"type":"clicked","__id":N,…}` per click and
 * reads `update-item` / `update-menu` / `exit` actions.
 *
 * systray2 alone would hang or crash the agent in ordinary situations, so the start is guarded:
 * - the helper ships without its exec bit (npm packs it 0644) and systray2's own `chmod '+x'`
 *   silently fails (Node reads '+x' as an invalid mode): we set it, or use a private copy when
 *   node_modules is read-only;
 * - systray2 prefers `./traybin/<helper>` relative to the *working directory*: we point its
 *   `copyDir` at a link in the agent's private runtime dir, so only the packaged helper runs;
 * - `ready()` never settles when the helper exits first (no display, no GTK): it is raced
 *   against the helper's exit and a timeout;
 * - writes to a dead helper's stdin would throw EPIPE as an uncaught error: swallowed;
 * - the helper's stderr (GTK warnings) is drained, so a chatty helper cannot block on a full pipe;
 * - `kill(false)` (not the default `kill()`, which exits the whole Node process), with a timeout
 *   and SIGKILL behind it.
 */
import { chmod, copyFile, mkdir, rm, stat, symlink } from 'node:fs/promises'
import type { ChildProcess } from 'node:child_process'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import systray2 from 'systray2'
import { darwinPlatform } from '../platform/darwin.js'
import { linuxPlatform } from '../platform/linux.js'
import { win32Platform } from '../platform/win32.js'

/** One entry of the tray menu; `key` says what it does, `items` makes a submenu. */
export interface TrayItem {
  key: string
  title: string
  tooltip: string
  enabled: boolean
  checked?: boolean
  items?: TrayItem[]
}

/** The whole tray: icon (base64 PNG, or ICO on Windows), title, tooltip and menu. */
export interface TrayModel {
  icon: string
  title: string
  tooltip: string
  items: TrayItem[]
}

/** The key of a separator line. */
export const SEPARATOR = '-'

/** How to run the helper; tests point `helperPath` at a fake that speaks the same protocol. */
export interface TrayOptions {
  helperPath?: string
  /** How long the helper has to say it is ready; default 10 s. */
  readyTimeoutMs?: number
  /** How long it has to exit when asked; default 3 s, then it is killed. */
  stopTimeoutMs?: number
}

export interface StartTrayOptions extends TrayOptions {
  model: TrayModel
  platform: string
  /** The agent's private runtime directory (0700): where the link to the helper lives. */
  runtimeDir: string
  /** A menu item was clicked (by its key). */
  onClick: (key: string) => void
  /** The helper went away on its own, after it was ready. */
  onExit?: (description: string) => void
}

export interface RunningTray {
  /** Show `model`; it must have the same items (keys) as the first one, only texts and states change. */
  update(model: TrayModel): Promise<void>
  /** Ask the helper to exit; killed if it does not. Says which it was. */
  stop(): Promise<'exited' | 'killed' | 'not running'>
}

export type TrayStart = { ok: true; tray: RunningTray } | { ok: false; reason: string }

type SysTrayClass = typeof systray2.default
type SysTrayInstance = InstanceType<SysTrayClass>
type SysTrayItem = { title: string; tooltip: string; enabled: boolean; checked: boolean; hidden: boolean; items?: SysTrayItem[]; __id?: number }

const HELPERS: Record<string, string> = { linux: linuxPlatform.trayHelper, darwin: darwinPlatform.trayHelper, win32: win32Platform.trayHelper }
const require = createRequire(import.meta.url)

/** Start the tray; never throws and never hangs: a tray that cannot start says why in `reason`. */
export async function startTray(options: StartTrayOptions): Promise<TrayStart> {
  const readyTimeoutMs = options.readyTimeoutMs ?? 10_000
  let helper: string
  try {
    helper = await prepareHelper(options)
  } catch (err) {
    return { ok: false, reason: `the tray helper cannot be prepared: ${(err as Error).message}` }
  }

  // The menu objects systray2 numbers (it sets __id on each, depth first) and later finds by __id.
  const menu = { icon: options.model.icon, title: options.model.title, tooltip: options.model.tooltip, items: options.model.items.map(toSysTrayItem) }
  const SysTray = sysTrayClass()
  let tray: SysTrayInstance
  try {
    tray = new SysTray({ menu, debug: false, copyDir: helper })
  } catch (err) {
    return { ok: false, reason: `the tray helper could not be started: ${(err as Error).message}` }
  }

  const stderr: string[] = []
  let stderrEnded: Promise<void> = Promise.resolve()
  let exited: string | undefined
  const exitListeners: ((description: string) => void)[] = []
  const exit = new Promise<string>((resolve) => exitListeners.push(resolve))
  // systray2 spawns the helper after two file-system calls; its ChildProcess appears only then.
  const attached = watchProcess(tray, (child) => {
    child.stdin?.on('error', () => undefined)
    const stream = child.stderr
    if (stream) stderrEnded = new Promise((resolve) => stream.once('close', () => resolve()))
    child.stderr?.setEncoding('utf8')
    child.stderr?.on('data', (text: string) => {
      for (const line of text.split('\n')) if (line.trim()) stderr.push(line.trim())
      stderr.splice(0, Math.max(0, stderr.length - 5))
    })
    const onExit = (code: number | null, signal: NodeJS.Signals | null) => {
      exited = signal ? `signal ${signal}` : `code ${String(code)}`
      for (const listener of exitListeners) listener(exited)
    }
    // It may be gone already: 'exit' fires once, and not again for a late listener.
    if (child.exitCode !== null || child.signalCode !== null) onExit(child.exitCode, child.signalCode)
    else child.once('exit', onExit)
    child.once('error', (err) => {
      exited = (err as NodeJS.ErrnoException).code ?? err.message
      for (const listener of exitListeners) listener(exited)
    })
  })

  const ready = tray.ready().then(
    () => 'ready' as const,
    (err: Error) => `error: ${(err as NodeJS.ErrnoException).code ?? err.message}`,
  )
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), readyTimeoutMs)
  })
  const first = await Promise.race([ready, exit.then((how) => `exit: ${how}`), timeout])
  clearTimeout(timer)
  if (first !== 'ready') {
    attached.cancel()
    const child = tray.process as ChildProcess | null
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
    // 'exit' can come before the last of stderr: its last line is usually the reason.
    if (exited !== undefined) await Promise.race([stderrEnded, new Promise((resolve) => setTimeout(resolve, 250))])
    const why = first === 'timeout' ? `it did not answer within ${readyTimeoutMs / 1000} s` : first.startsWith('exit') ? `it exited (${exited})` : first
    const detail = stderr.length > 0 ? ` — ${stderr.at(-1)}` : ''
    return { ok: false, reason: `the tray helper did not start: ${why}${detail}` }
  }

  const keyById = new Map<number, string>()
  collect(options.model.items, menu.items, keyById)
  void tray.onClick((event) => {
    const key = keyById.get(event.__id)
    if (key !== undefined && key !== SEPARATOR) options.onClick(key)
  })
  let stopping = false
  exitListeners.push((how) => {
    if (!stopping) options.onExit?.(`the tray helper exited (${how})`)
  })

  let shown: TrayModel = options.model
  return {
    ok: true,
    tray: {
      async update(model) {
        if (exited !== undefined || stopping) return
        const previous = shown
        shown = model
        if (model.icon !== previous.icon || model.title !== previous.title || model.tooltip !== previous.tooltip) {
          // The helper updates icon, title and tooltip from this; the items it is given are the
          // current ones, numbered as at the start, in case a helper rebuilds the menu from them.
          await tray.sendAction({ type: 'update-menu', menu: { icon: model.icon, title: model.title, tooltip: model.tooltip, items: numbered(model.items, menu.items) } })
        }
        const fresh = numbered(model.items, menu.items)
        for (const [item, before, sent] of pairItems(model.items, previous.items, fresh)) {
          if (item.key === SEPARATOR || sameItem(item, before) || sent.__id === undefined) continue
          // A copy per message: systray2 marks checked titles in place, submenus included.
          await tray.sendAction({ type: 'update-item', item: structuredClone(sent) })
        }
      },
      async stop() {
        if (stopping) return 'not running'
        stopping = true
        const child = tray.process as ChildProcess | null
        if (!child || exited !== undefined) return 'not running'
        let stopTimer: NodeJS.Timeout | undefined
        const stopped = await Promise.race([
          tray.kill(false).then(() => true, () => false),
          exit.then(() => true),
          new Promise<false>((resolve) => {
            stopTimer = setTimeout(() => resolve(false), options.stopTimeoutMs ?? 3000)
          }),
        ])
        clearTimeout(stopTimer)
        if (stopped || child.exitCode !== null) return 'exited'
        child.kill('SIGKILL')
        return 'killed'
      },
    },
  }
}

/**
 * The helper to run, executable, behind a link in `<runtimeDir>/tray/<systray2 version>/`: the
 * `copyDir` we give systray2, which then runs that link instead of looking in the working dir.
 */
async function prepareHelper(options: StartTrayOptions): Promise<string> {
  const name = HELPERS[options.platform]
  if (!name) throw new Error(`no tray helper for ${options.platform}`)
  const pkgFile = require.resolve('systray2/package.json')
  const version = (require('systray2/package.json') as { version: string }).version
  let helper = options.helperPath ?? join(dirname(pkgFile), 'traybin', name)
  const copyDir = join(options.runtimeDir, 'tray')
  const linkDir = join(copyDir, version)
  await mkdir(linkDir, { recursive: true, mode: 0o700 })
  if (options.platform !== 'win32') {
    const mode = (await stat(helper)).mode
    if ((mode & 0o100) === 0) {
      try {
        await chmod(helper, mode | 0o111)
      } catch {
        // A read-only node_modules (installed by root, run by the user): a private copy instead.
        const copy = join(copyDir, `${name}.copy`)
        await copyFile(helper, copy)
        await chmod(copy, 0o700)
        helper = copy
      }
    }
  }
  const link = join(linkDir, name)
  await rm(link, { force: true })
  // Windows needs a privilege for symlinks; a copy does the same job there.
  if (options.platform === 'win32') await copyFile(helper, link)
  else await symlink(helper, link)
  return copyDir
}

/**
 * systray2 is CommonJS with `exports.default = SysTray` and `__esModule`. Node's ESM loader gives
 * the whole `module.exports` as the default import (so the class is at `.default`); loaders that
 * honour `__esModule` (vitest, bundlers) give the class itself.
 */
function sysTrayClass(): SysTrayClass {
  const imported = systray2 as unknown as { default?: SysTrayClass }
  return typeof imported.default === 'function' ? imported.default : (systray2 as unknown as SysTrayClass)
}

/**
 * Calls `onProcess` once systray2 has spawned the helper; `cancel` stops waiting. Checked on
 * every turn of the event loop (setImmediate), not on a timer: systray2 spawns in an fs callback,
 * and a helper that fails at once (no display) must still have its stderr read — Node discards
 * the output of a child whose streams nobody listens to when it exits.
 */
function watchProcess(tray: SysTrayInstance, onProcess: (child: ChildProcess) => void): { cancel(): void } {
  let cancelled = false
  const check = (): void => {
    if (cancelled) return
    const child = tray.process as ChildProcess | null
    if (child) onProcess(child)
    else setImmediate(check)
  }
  check()
  return { cancel: () => (cancelled = true) }
}

function toSysTrayItem(item: TrayItem): SysTrayItem {
  if (item.key === SEPARATOR) return { title: '<SEPARATOR>', tooltip: '', enabled: true, checked: false, hidden: false }
  const out: SysTrayItem = { title: item.title, tooltip: item.tooltip, enabled: item.enabled, checked: item.checked ?? false, hidden: false }
  if (item.items && item.items.length > 0) out.items = item.items.map(toSysTrayItem)
  return out
}

function collect(model: TrayItem[], sent: SysTrayItem[], keyById: Map<number, string>): void {
  model.forEach((item, i) => {
    const target = sent[i]
    if (!target) return
    if (target.__id !== undefined) keyById.set(target.__id, item.key)
    if (item.items && target.items) collect(item.items, target.items, keyById)
  })
}

/**
 * Fresh helper items for `model`, carrying the __id systray2 gave the item at the same place in
 * the first menu. Fresh each time: systray2 appends " (√)" to a checked item's title in place
 * (Linux has no check marks), which must not pile up on objects we keep.
 */
function numbered(model: TrayItem[], first: SysTrayItem[]): SysTrayItem[] {
  return model.map((item, i) => {
    const out = toSysTrayItem({ ...item, items: [] })
    const id = first[i]?.__id
    if (id !== undefined) out.__id = id
    if (item.items && item.items.length > 0) out.items = numbered(item.items, first[i]?.items ?? [])
    return out
  })
}

function* pairItems(now: TrayItem[], before: TrayItem[], sent: SysTrayItem[]): Generator<[TrayItem, TrayItem | undefined, SysTrayItem]> {
  for (let i = 0; i < now.length; i++) {
    yield [now[i]!, before[i], sent[i]!]
    if (now[i]!.items) yield* pairItems(now[i]!.items!, before[i]?.items ?? [], sent[i]!.items ?? [])
  }
}

function sameItem(a: TrayItem, b: TrayItem | undefined): boolean {
  return b !== undefined && a.key === b.key && a.title === b.title && a.tooltip === b.tooltip && a.enabled === b.enabled && (a.checked ?? false) === (b.checked ?? false)
}
