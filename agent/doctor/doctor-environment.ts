import type { AgentPaths } from '../../protocol/discovery/resolve-paths.js'
import type { EnvironmentId } from '../../protocol/environments.js'
import type { AgentError } from '../../protocol/errors.js'
import type { BundledCa } from '../trust/load-ca-bundle.js'
import type { PolicyInEffect } from '../../protocol/policy/policy-schema.js'
import type { Pkcs11Binding } from '../keys/pkcs11-binding.js'
import type { HttpClient, HttpClientOptions } from '../net/http-client.js'
import type { ProxyEnvironment } from '../net/resolve-proxy.js'

/**
 * Everything the doctor's checks look at, injected: the real machine from commands/doctor.ts,
 * a throw-away one in tests.
 */
export interface DoctorEnvironment {
  platform: string
  nodeVersion: string
  paths: AgentPaths
  /** `--port`, overriding the settings (as for `ehagent start`). */
  port?: number
  /** `--env`, overriding the settings (as for `ehagent start`). */
  environment?: EnvironmentId
  /** The CA bundle the agent ships for a real environment (agent/trust). */
  loadCaBundle(environment: Exclude<EnvironmentId, 'sandbox'>): Promise<BundledCa[]>
  display: { DISPLAY?: string; WAYLAND_DISPLAY?: string }
  /** The tray helper binary of systray2 for this OS; undefined when systray2 is not installed. */
  trayHelper: string | undefined
  /** Present only in an interactive terminal: asks without echo. */
  askSecret?: (question: string) => Promise<string>
  /** The proxy variables of the CLI's environment, and `ehagent doctor --proxy URL`. */
  proxy: { environment: ProxyEnvironment; commandLine?: string }
  /**
   * HTTP for the clock, proxy and reachability checks: the agent's own client, with the settings'
   * proxy and extra CAs, so the doctor meets what the agent will. Closed by the doctor.
   */
  createHttpClient(options: HttpClientOptions): Pick<HttpClient, 'request' | 'proxyFor' | 'close'>
  fileExists(path: string): boolean
  isExecutable(path: string): boolean
  isWritable(path: string): boolean
  readFile(path: string): Promise<Buffer>
  /** The files directly in a directory, with their sizes (rejects with ENOENT when it does not exist). */
  listFiles(dir: string): Promise<{ name: string; size: number }[]>
  pkcs11: Pkcs11Binding
  /** Whether the eID's native module (pkcs11js) loads: undefined if so, else ERR_EID_UNAVAILABLE. */
  probeEidSupport(): AgentError | undefined
  /** Whether the agent's malloc_trim addon loads here (agent/memory/malloc-trim.ts). */
  probeMallocTrim(): boolean
  /** Whether the agent's sock_diag addon loads here, and the kernel answers it (agent/callers/linux/sock-diag.ts). */
  probeSockDiag(): Promise<'answers' | 'missing' | 'kernel-does-not-answer'>
  /** Milliseconds since the epoch. */
  now(): number
  /** Whether 127.0.0.1:port can be bound right now. */
  isPortFree(port: number): Promise<boolean>
  isProcessAlive(pid: number): boolean
  /** The machine's admin policy, read as the agent reads it; absent: not checked. */
  readPolicy?: () => Promise<PolicyInEffect>
}
