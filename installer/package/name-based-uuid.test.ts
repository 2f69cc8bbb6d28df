import { describe, expect, it } from 'vitest'
import { nameBasedUuid } from './name-based-uuid.js'

describe('nameBasedUuid (UUID version 5)', () => {
  it('matches the RFC 9562 example (appendix A.4: DNS namespace, "www.example.com")', () => {
    expect(nameBasedUuid('6ba7b810-9dad-11d1-80b4-00c04fd430c8', 'www.example.com')).toBe('2ED6657D-E927-568B-95E1-2665A8AEA6A2')
  })

  it('is stable per name and differs between names', () => {
    const ns = '3B8D48D6-12FD-478F-8078-33671E4D07CD'
    expect(nameBasedUuid(ns, 'ehealth-agent 0.1.0 x64')).toBe(nameBasedUuid(`{${ns}}`, 'ehealth-agent 0.1.0 x64'))
    expect(nameBasedUuid(ns, 'ehealth-agent 0.1.0 x64')).not.toBe(nameBasedUuid(ns, 'ehealth-agent 0.1.1 x64'))
    expect(() => nameBasedUuid('not-a-uuid', 'x')).toThrow(/not a UUID/)
  })
})
