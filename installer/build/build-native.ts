/**
 * Compiles the agent's native addons (installer/bundle-layout.ts, NATIVE_ADDONS), each one C file,
 * into dist/native/. Linux only: malloc_trim is glibc's and sock_diag is Linux's, so elsewhere
 * nothing is built.
 *
 * It calls the C compiler directly instead of node-gyp: one C file, no dependencies, and a
 * Node-API addon needs only the runtime's headers (`<prefix>/include/node`, beside the node
 * binary, or npm_config_nodedir's as node-gyp would use) and no library to link, since the
 * napi_* symbols are the running node's. A missing compiler is not fatal to the build: the
 * agent runs without the addons (it then keeps the memory glibc keeps, and finds a caller's
 * socket in /proc/net/tcp), and their tests (agent/memory/malloc-trim.test.ts,
 * agent/callers/linux/sock-diag.system.test.ts) fail, saying what is missing.
 */
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, rmSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { NATIVE_ADDONS, type NativeAddon } from '../bundle-layout.js'

/** Where node_api.h is for the node running this build. */
export function nodeHeadersDir(env: NodeJS.ProcessEnv = process.env, execPath = process.execPath): string {
  const prefix = env.npm_config_nodedir || dirname(dirname(execPath))
  return join(prefix, 'include', 'node')
}

/** Build every addon of NATIVE_ADDONS; what happened to each, for the build log. */
export function buildNativeAddons(options: { repoRoot: string; platform?: NodeJS.Platform; env?: NodeJS.ProcessEnv }): { built: boolean; message: string }[] {
  return Object.values(NATIVE_ADDONS).map((addon) => buildNativeAddon({ ...options, addon }))
}

/** Build one addon; returns what happened, for the build log. Never throws for a missing tool. */
export function buildNativeAddon(options: { repoRoot: string; addon: NativeAddon; platform?: NodeJS.Platform; env?: NodeJS.ProcessEnv }): { built: boolean; message: string } {
  const { addon } = options
  const platform = options.platform ?? process.platform
  if (platform !== 'linux') return { built: false, message: `no native addon on ${platform} (${addon.name} is Linux's)` }
  const env = options.env ?? process.env
  const out = join(options.repoRoot, ...addon.built)
  // A rebuild that fails, for whatever reason, must not leave the previous build in place, looking current.
  rmSync(out, { force: true })
  const headers = nodeHeadersDir(env)
  if (!existsSync(join(headers, 'node_api.h'))) {
    return { built: false, message: `${addon.built.join('/')} not built: no node_api.h in ${headers} (install Node's headers, or set npm_config_nodedir)` }
  }
  mkdirSync(dirname(out), { recursive: true })
  // CC as make reads it: a command and its first arguments ("ccache gcc").
  const [cc = 'cc', ...ccArgs] = (env.CC || 'cc').trim().split(/\s+/)
  const args = [...ccArgs, '-O2', '-shared', '-fPIC', '-Wall', `-DNODE_GYP_MODULE_NAME=${addon.name}`, `-I${headers}`, '-o', out, join(options.repoRoot, ...addon.source)]
  const run = spawnSync(cc, args, { encoding: 'utf8' })
  if (run.error) return { built: false, message: `${addon.built.join('/')} not built: ${cc} could not be run (${run.error.message}); install a C compiler (apt-get install gcc)` }
  if (run.status !== 0) return { built: false, message: `${addon.built.join('/')} not built: ${cc} failed:\n${run.stderr.trim()}` }
  return { built: true, message: `${addon.built.join('/')} (${cc})` }
}
