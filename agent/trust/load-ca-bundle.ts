import { X509Certificate } from 'node:crypto'
import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import type { EnvironmentId } from '../../protocol/environments.js'
import { AgentError } from '../../protocol/errors.js'
import { CA_BUNDLE_INDEX } from './ca-bundle-index.js'

/** A bundled CA certificate, read and checked against the index. */
export interface BundledCa {
  file: string
  certificate: X509Certificate
}

/**
 * The folder of the shipped CA bundles: `ca-bundles/` beside this module, in the sources
 * (agent/trust/) and in the compiled tree (dist/agent/trust/, where `npm run build` copies it);
 * else the nearest `agent/trust/ca-bundles/` walking up: from the bundle that runs (dist/bundle/,
 * where this code sits in a chunk) that is dist/agent/trust/ca-bundles, and for a dist/ compiled
 * without the copy, the sources' folder of the same installation.
 */
export function findCaBundleDir(start: URL = new URL('./', import.meta.url)): string {
  const beside = new URL('ca-bundles/', start)
  if (existsSync(new URL('PROVENANCE.md', beside))) return fileURLToPath(beside)
  for (let dir = new URL('./', start); ; dir = new URL('../', dir)) {
    const candidate = new URL('agent/trust/ca-bundles/', dir)
    if (existsSync(new URL('PROVENANCE.md', candidate))) return fileURLToPath(candidate)
    if (dir.pathname === '/') throw new AgentError('ERR_CONFIG_INVALID', 'the eHealth CA bundles (agent/trust/ca-bundles) are missing from this installation', { detail: 'reinstall ehealth-agent' })
  }
}

/**
 * Read the CA bundle of a real environment, each file checked to hold the certificate the index
 * lists (ca-bundle-index.ts): a damaged or swapped file stops the start with its name.
 */
export async function loadCaBundle(environment: Exclude<EnvironmentId, 'sandbox'>, dir: string = findCaBundleDir()): Promise<BundledCa[]> {
  return Promise.all(
    CA_BUNDLE_INDEX[environment].map(async (entry) => {
      const path = `${dir.replace(/\/$/, '')}/${environment}/${entry.file}`
      let certificate: X509Certificate
      try {
        certificate = new X509Certificate(await readFile(path))
      } catch (err) {
        throw new AgentError('ERR_CONFIG_INVALID', `the bundled CA certificate ${path} cannot be read: ${(err as Error).message}`, { detail: 'reinstall ehealth-agent' })
      }
      if (certificate.fingerprint256 !== entry.sha256) {
        throw new AgentError('ERR_CONFIG_INVALID', `the bundled CA certificate ${path} is not the one this version ships (SHA-256 ${certificate.fingerprint256}, expected ${entry.sha256})`, {
          detail: 'reinstall ehealth-agent',
        })
      }
      return { file: entry.file, certificate }
    }),
  )
}
