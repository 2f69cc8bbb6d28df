import type { PeerIdentifier } from './caller-program.js'
import { createLinuxPeerIdentifier } from './linux/identify-linux-peer.js'
import { createMacosPeerIdentifier } from './macos/identify-macos-peer.js'
import { createWindowsPeerIdentifier } from './windows/identify-windows-peer.js'

/** The platform's way to the program behind a connection; elsewhere, one that knows nothing. */
export function choosePeerIdentifier(platform: NodeJS.Platform): PeerIdentifier {
  if (platform === 'linux') return createLinuxPeerIdentifier()
  if (platform === 'darwin') return createMacosPeerIdentifier()
  if (platform === 'win32') return createWindowsPeerIdentifier()
  return { identify: async () => ({}) }
}
