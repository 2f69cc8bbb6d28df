import { X509Certificate } from 'node:crypto'
import { createHttpClient } from '../../agent/net/http-client.js'
import type { RunningSandbox } from '../../agent/sandbox/server.js'
import type { StsExchange } from '../../agent/session/request-token.js'
import { createSoapPoster, type SoapPoster } from '../../agent/sts-client.js'

/**
 * The STS exchange a Session needs to sign in at an in-process sandbox: its WS-Trust endpoint,
 * its STS certificate pinned, the test's clock, counter ids (`prefix1`, `prefix2`, …) and a poster
 * that retries at once (no sleeping in tests). `onPost` sees every request before it is sent
 * (tests count the STS calls with it).
 */
export function sandboxStsExchange(
  sandbox: RunningSandbox,
  now: () => Date,
  options: { idPrefix: string; onPost?: (url: string) => void },
): StsExchange {
  const post = createSoapPoster({ transport: createHttpClient().request, sleep: async () => {}, random: () => 0.5, maxAttempts: 3, baseDelayMs: 1 })
  const counted: SoapPoster = options.onPost
    ? (url, envelope, action, from) => {
        options.onPost!(url)
        return post(url, envelope, action, from)
      }
    : post
  let n = 0
  return {
    post: counted,
    stsUrl: sandbox.environment.stsWsTrust,
    trustedSigners: [new X509Certificate(sandbox.state.pki.sts.certificatePem)],
    now,
    newId: () => `${options.idPrefix}${++n}`,
  }
}
