import { DOMImplementation } from '@xmldom/xmldom'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { makeEnvelope } from '../../test/helpers/envelopes.js'
import { splitEnvelope } from '../soap/split-envelope.js'
import { prepareWsSecurity } from './prepare-ws-security.js'

// The signing path reads the caller's envelope once and canonicalizes the Body from that scan:
// no DOM of it is ever built (the performance rule for large envelopes). Readers of responses
// still get a DOM, on first access.
describe('signing builds no DOM', () => {
  afterEach(() => vi.restoreAllMocks())

  it('prepare and finish never create a document', () => {
    const createDocument = vi.spyOn(DOMImplementation.prototype, 'createDocument')
    let n = 0
    const p = prepareWsSecurity(makeEnvelope(20_000), { profile: { kind: 'x509', certificateBase64: 'AAAA' }, now: new Date(0), newId: (k) => `${k}-${++n}` })
    expect(p.finish(new Uint8Array(256)).length).toBeGreaterThan(20_000)
    expect(createDocument).not.toHaveBeenCalled()
  })

  it('a reader that asks for the Body gets a DOM, built once', () => {
    const createDocument = vi.spyOn(DOMImplementation.prototype, 'createDocument')
    const env = splitEnvelope(makeEnvelope(1_000))
    expect(createDocument).not.toHaveBeenCalled()
    expect(env.bodyRoot?.localName).toBe('ConsultRequest')
    expect(env.body.localName).toBe('Body')
    expect(createDocument).toHaveBeenCalledTimes(1)
  })
})
