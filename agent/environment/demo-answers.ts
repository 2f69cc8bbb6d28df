import type { SandboxManifest } from '../../protocol/sandbox-manifest.js'
import { ScriptedPrompter } from '../consent/scripted-prompter.js'

type Demo = NonNullable<SandboxManifest['demo']>

/**
 * `ehagent start --demo`: every sign-in prompt is answered with the public demo secret the
 * sandbox published (the eID PIN for a card, the keystore password otherwise), and pairings are
 * approved. Only ever used against the sandbox: its secrets protect nothing.
 */
export function createDemoPrompter(demo: Demo): ScriptedPrompter {
  return new ScriptedPrompter({ secret: (prompt) => (prompt.requirement.secret === 'pin' ? demo.eidPin : demo.keystorePassword), approvePairing: true })
}

type Fetch = (url: string, init?: RequestInit) => Promise<Response>

const MAX_REDIRECTS = 10

/**
 * The "browser" of an IAM Connect sign-in in demo mode. A sandbox started with `--demo` approves
 * the authorization request by itself (as its demo user), so the browser's only work is to
 * follow the redirects (RFC 9110 §15.4) until they leave the provider for the agent's loopback
 * callback, and to deliver that last request, as a browser would. A page instead of a redirect
 * means the sandbox waits for a person: that is said plainly.
 */
export function followSandboxRedirects(fetchImpl: Fetch = fetch): (url: string) => Promise<void> {
  return async (authorizationUrl) => {
    const provider = new URL(authorizationUrl).origin
    let url = authorizationUrl
    for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
      const res = await fetchImpl(url, { redirect: 'manual' })
      await res.body?.cancel()
      if (new URL(url).origin !== provider) return // the callback got its request
      const location = res.headers.get('Location')
      if (res.status < 300 || res.status >= 400 || !location) {
        throw new Error(`IAM Connect answered HTTP ${res.status} with a page instead of approving the demo sign-in: is the sandbox running with --demo?`)
      }
      url = new URL(location, url).href
    }
    throw new Error(`IAM Connect redirected more than ${MAX_REDIRECTS} times`)
  }
}
