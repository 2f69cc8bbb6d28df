import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { formatPairingCode, pairingCodeInput } from '../../protocol/rpc/pairing-code.js'

// The pairing code as a shell script computes it (coreutils' sha256sum, as on any Linux): the
// one-liner protocol/rpc/pairing-code.ts documents for applications without a crypto library.
describe('the pairing code in a shell script', () => {
  it('is what the shell one-liner of the documentation computes', () => {
    const nonce = 'Xy3_-9aaBBccDDeeFFgg'
    const shell = execFileSync('sh', ['-c', `printf '%06d' $(( 0x$(printf %s "ehealth-agent pairing code:$NONCE" | sha256sum | cut -c1-8) % 1000000 ))`], { env: { ...process.env, NONCE: nonce }, encoding: 'utf8' })
    expect(shell).toBe(formatPairingCode(createHash('sha256').update(pairingCodeInput(nonce)).digest()))
  })
})
