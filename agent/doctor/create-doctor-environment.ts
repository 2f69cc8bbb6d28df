import { accessSync, constants, existsSync } from 'node:fs'
import { readdir, readFile, stat } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { createServer } from 'node:net'
import { dirname, join } from 'node:path'
import type { AgentPaths } from '../../protocol/discovery/resolve-paths.js'
import type { EnvironmentId } from '../../protocol/environments.js'
import { loadCaBundle } from '../trust/load-ca-bundle.js'
import { probeEidSupport } from '../keys/load-pkcs11js.js'
import { loadMallocTrim } from '../memory/malloc-trim.js'
import { kernelAnswers, loadSockDiag } from '../callers/linux/sock-diag.js'
import { pkcs11jsBinding } from '../keys/pkcs11-key-source.js'
import { choosePolicyLocation } from '../main.js'
import { PLATFORM_IDS } from '../platform/platform.js'
import { selectPlatform } from '../platform/select-platform.js'
import { readPolicy } from '../policy/read-policy.js'
import { createHttpClient } from '../net/http-client.js'
import type { ProxyEnvironment } from '../net/resolve-proxy.js'
import type { DoctorEnvironment } from './doctor-environment.js'


/** What `ehagent doctor` knows about this machine and its command line, from the CLI. */
export interface DoctorFacts {
  platform: string
  nodeVersion: string
  paths: AgentPaths
  /** `--port`, overriding the settings. */
  port?: number
  /** `--env`, overriding the settings. */
  environment?: EnvironmentId
  display: { DISPLAY?: string; WAYLAND_DISPLAY?: string }
  /** The directory holding package.json (where systray2 is installed). */
  packageRoot: string
  /** In an interactive terminal only: asks without echo. */
  askSecret?: (question: string) => Promise<string>
  /** HTTPS_PROXY, HTTP_PROXY, NO_PROXY (and their lower-case forms) as the CLI's environment has them. */
  proxyEnvironment?: ProxyEnvironment
  /** `--proxy URL`, overriding the settings. */
  proxy?: string
}

/** The real machine, as the doctor's checks see it: its files, its network, its PKCS#11 modules. */
export function createDoctorEnvironment(facts: DoctorFacts): DoctorEnvironment {
  return {
    platform: facts.platform,
    nodeVersion: facts.nodeVersion,
    paths: facts.paths,
    ...(facts.port !== undefined ? { port: facts.port } : {}),
    ...(facts.environment !== undefined ? { environment: facts.environment } : {}),
    loadCaBundle: (environment) => loadCaBundle(environment),
    display: facts.display,
    trayHelper: findTrayHelper(facts.packageRoot, facts.platform),
    ...(facts.askSecret ? { askSecret: facts.askSecret } : {}),
    proxy: { environment: facts.proxyEnvironment ?? {}, ...(facts.proxy !== undefined ? { commandLine: facts.proxy } : {}) },
    createHttpClient: (options) => createHttpClient({ maxResponseBytes: 1024 * 1024, ...options }),
    fileExists: (path) => existsSync(path),
    isExecutable: (path) => canAccess(path, constants.X_OK),
    isWritable: (path) => canAccess(path, constants.W_OK),
    readFile: (path) => readFile(path),
    listFiles,
    pkcs11: pkcs11jsBinding,
    probeEidSupport: () => probeEidSupport(),
    probeMallocTrim: () => loadMallocTrim() !== undefined,
    probeSockDiag: async () => {
      const lookup = loadSockDiag()
      if (lookup === undefined) return 'missing'
      return (await kernelAnswers(lookup)) ? 'answers' : 'kernel-does-not-answer'
    },
    now: () => Date.now(),
    isPortFree,
    readPolicy: () => readPolicy(choosePolicyLocation(selectPlatform(facts.platform))),
    isProcessAlive: (pid) => {
      try {
        process.kill(pid, 0)
        return true
      } catch (err) {
        // EPERM: it exists, it is just not ours to signal.
        return (err as NodeJS.ErrnoException).code === 'EPERM'
      }
    },
  }
}

function findTrayHelper(packageRoot: string, platform: string): string | undefined {
  // systray2's helper binary for the OS (node_modules/systray2/traybin); none for other systems.
  if (!(PLATFORM_IDS as readonly string[]).includes(platform)) return undefined
  const name = selectPlatform(platform).trayHelper
  try {
    const manifest = createRequire(join(packageRoot, 'package.json')).resolve('systray2/package.json')
    return join(dirname(manifest), 'traybin', name)
  } catch {
    return undefined
  }
}

function canAccess(path: string, mode: number): boolean {
  try {
    accessSync(path, mode)
    return true
  } catch {
    return false
  }
}

function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer()
    server.once('error', () => resolve(false))
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)))
  })
}

async function listFiles(dir: string): Promise<{ name: string; size: number }[]> {
  const out: { name: string; size: number }[] = []
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (!entry.isFile()) continue
    // A file removed between the listing and its stat (the agent pruning) is simply not counted.
    const size = await stat(join(dir, entry.name)).then(
      (s) => s.size,
      () => undefined,
    )
    if (size !== undefined) out.push({ name: entry.name, size })
  }
  return out
}
