/**
 * Compiles the agent's one native addon, agent/memory/native/malloc-trim.c, into
 * dist/native/malloc-trim.node (see {@link NATIVE_ADDON}). Linux only: elsewhere there is no
 * glibc to trim and nothing is built.
 *
 * It calls the C compiler directly instead of node-gyp: one C file, no dependencies, and a
 * Node-API addon needs only the runtime's headers (`<prefix>/include/node`, beside the node
 * binary, or npm_config_nodedir's as node-gyp would use) and no library to link, since the
 * napi_* symbols are the running node's. A missing compiler is not fatal to the build: the
 * agent runs without the addon (it then keeps the memory glibc keeps), and the test
 * agent/memory/malloc-trim.test.ts fails, saying what is missing.
 */
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, rmSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { NATIVE_ADDON } from '../bundle-layout.js'

/** Where node_api.h is for the node running this build. */
export function nodeHeadersDir(env: NodeJS.ProcessEnv = process.env, execPath = process.execPath): string {
  const prefix = env.npm_config_nodedir || dirname(dirname(execPath))
  return join(prefix, 'include', 'node')
}

/** Build the addon; returns what happened, for the build log. Never throws for a missing tool. */
export function buildNativeAddon(options: { repoRoot: string; platform?: NodeJS.Platform; env?: NodeJS.ProcessEnv }): { built: boolean; message: string } {
  const platform = options.platform ?? process.platform
  if (platform !== 'linux') return { built: false, message: `no native addon on ${platform} (malloc_trim is glibc's)` }
  const env = options.env ?? process.env
  const out = join(options.repoRoot, ...NATIVE_ADDON.built)
  // A rebuild that fails, for whatever reason, must not leave the previous build in place, looking current.
  rmSync(out, { force: true })
  const headers = nodeHeadersDir(env)
  if (!existsSync(join(headers, 'node_api.h'))) {
    return { built: false, message: `not built: no node_api.h in ${headers} (install Node's headers, or set npm_config_nodedir)` }
  }
  mkdirSync(dirname(out), { recursive: true })
  // CC as make reads it: a command and its first arguments ("ccache gcc").
  const [cc = 'cc', ...ccArgs] = (env.CC || 'cc').trim().split(/\s+/)
  const args = [...ccArgs, '-O2', '-shared', '-fPIC', '-Wall', '-DNODE_GYP_MODULE_NAME=malloc_trim', `-I${headers}`, '-o', out, join(options.repoRoot, ...NATIVE_ADDON.source)]
  const run = spawnSync(cc, args, { encoding: 'utf8' })
  if (run.error) return { built: false, message: `not built: ${cc} could not be run (${run.error.message}); install a C compiler (apt-get install gcc)` }
  if (run.status !== 0) return { built: false, message: `not built: ${cc} failed:\n${run.stderr.trim()}` }
  return { built: true, message: `${NATIVE_ADDON.built.join('/')} (${cc})` }
}
