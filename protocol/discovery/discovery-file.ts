/**
 * The discovery file: how a local program finds the running agent (threat T6). The agent writes
 * it, owner-only, in the user's private runtime directory (resolve-paths.ts) once its port is
 * its own; the CLI, the JS client and the browser extension's native host read it.
 *
 * @module
 */
import * as z from 'zod'
import { AgentError } from '../errors.js'

/** What the agent publishes about itself. Unknown keys are kept out (`strict`): a reader can trust the shape. */
export const DISCOVERY_FILE_SCHEMA = z
  .object({
    port: z.number().int().min(1).max(65535),
    pid: z.number().int().positive(),
    version: z.string().min(1),
    environment: z.string().min(1),
    url: z.string().url(),
    socket: z.string().min(1),
    credentialFile: z.string().min(1),
    startedAt: z.string().min(1),
  })
  .strict()

/** The discovery file's content. */
export type DiscoveryFile = z.infer<typeof DISCOVERY_FILE_SCHEMA>

/**
 * Read a discovery file's text. A file that is not JSON or not of this shape (written by another
 * version, truncated, tampered with) is refused with ERR_CONFIG_INVALID naming what is wrong.
 *
 * @example
 * ```ts
 * const discovery = parseDiscoveryFile(await readFile(paths.discoveryFile, 'utf8'))
 * ```
 */
export function parseDiscoveryFile(text: string): DiscoveryFile {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    throw new AgentError('ERR_CONFIG_INVALID', 'the agent discovery file is not JSON', { detail: 'restart the agent to write it again' })
  }
  const parsed = DISCOVERY_FILE_SCHEMA.safeParse(json)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!
    throw new AgentError('ERR_CONFIG_INVALID', `the agent discovery file is not valid: ${issue.path.join('.') || '(root)'}: ${issue.message}`, {
      detail: 'restart the agent to write it again',
    })
  }
  return parsed.data
}

/** The discovery file's text, as the agent writes it. */
export function formatDiscoveryFile(discovery: DiscoveryFile): string {
  return JSON.stringify(DISCOVERY_FILE_SCHEMA.parse(discovery), null, 2) + '\n'
}
