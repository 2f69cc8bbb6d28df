/**
 * What the guards learnt of a request's connection (its owner's uid and program), handed to the
 * app's handlers for the same request. Keyed by hono's per-request Context, so it goes when the
 * request does.
 */
import type { Context } from 'hono'
import type { PeerFacts } from '../callers/caller-program.js'

const peers = new WeakMap<Context, PeerFacts>()

export function rememberPeer(c: Context, facts: PeerFacts): void {
  peers.set(c, facts)
}

/** The facts the guards found for this request; `{}` when they found none (or did not run). */
export function peerOfRequest(c: Context): PeerFacts {
  return peers.get(c) ?? {}
}
