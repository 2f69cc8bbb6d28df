/**
 * The extension as an administrator deploys it: the committed manifest lets no web page in
 * (`externally_connectable.matches` is empty), and a deployment names the exact origins of the
 * practice's web applications, the same ones the agent's settings allow (`allowedWebOrigins`).
 * Everything else of the manifest is kept, the `key` above all: it fixes the extension id that the
 * native host manifest names and the web applications address.
 */
import { checkWebOrigin, matchPatternFor } from '../../protocol/browser-extension/web-origin.js'

/**
 * The manifest text with `externally_connectable.matches` naming exactly `origins` (one
 * `<origin>/*` pattern each). Throws, naming the origin and why, for a wildcard, a loopback
 * origin without its port, plain http to another host, or anything that is not an origin.
 *
 * @example
 * ```ts
 * renderDeploymentManifest(readFileSync('extension/manifest.json', 'utf8'), ['https://app.praktijk.example.be'])
 * ```
 */
export function renderDeploymentManifest(manifestText: string, origins: readonly string[]): string {
  const manifest = JSON.parse(manifestText) as Record<string, unknown>
  for (const origin of origins) {
    const problem = checkWebOrigin(origin)
    if (problem !== undefined) throw new Error(`${JSON.stringify(origin)} cannot be allowed: ${problem}`)
  }
  const connectable = typeof manifest.externally_connectable === 'object' && manifest.externally_connectable !== null ? (manifest.externally_connectable as Record<string, unknown>) : {}
  // No `ids`: no other extension may message this one.
  const { ids: _ids, ...rest } = connectable
  void _ids
  manifest.externally_connectable = { ...rest, matches: [...new Set(origins)].map(matchPatternFor) }
  return JSON.stringify(manifest, null, 2) + '\n'
}
