import { formatPairingCode, pairingCodeInput } from '../../protocol/rpc/pairing-code.js'

/**
 * A fresh pairing nonce and the code it gives, for an application to show while the user
 * approves its `client.pair` in the agent (the agent's pairing page shows the same six digits).
 * Uses WebCrypto, so it runs in browsers and in Node 20 alike.
 *
 * @example
 * ```ts
 * const { nonce, code } = await newPairingNonce()
 * console.log(`Approve the pairing in the agent if it shows ${code}`)
 * const paired = await agent.call('client.pair', { name: 'MediSoft 4.2', nonce })
 * ```
 */
export async function newPairingNonce(): Promise<{ nonce: string; code: string }> {
  const bytes = crypto.getRandomValues(new Uint8Array(18))
  const nonce = btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
  return { nonce, code: await pairingCode(nonce) }
}

/** The six-digit code of `nonce` (protocol/rpc/pairing-code.ts). */
export async function pairingCode(nonce: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(pairingCodeInput(nonce)))
  return formatPairingCode(new Uint8Array(digest))
}
