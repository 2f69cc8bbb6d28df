import { describe, expect, it } from 'vitest'
import { AgentError } from '../errors.js'
import { buildChallengeResponse } from './build-challenge-response.js'
import { STS_NS } from './namespaces.js'
import { parseChallengeResponse } from './parse-challenge-response.js'
import { parseRstr } from './parse-rstr.js'

function thrown(fn: () => unknown): AgentError {
  try {
    fn()
  } catch (err) {
    expect(err).toBeInstanceOf(AgentError)
    return err as AgentError
  }
  throw new Error('expected an AgentError')
}

describe('SignChallenge round trip', () => {
  it('client: parseRstr challenge -> buildChallengeResponse; sandbox: parseChallengeResponse gets it back exactly', () => {
    const challenge = '\n  opaque <&> "challenge" \r\n'
    const fromSts = `<wst:RequestSecurityTokenResponse xmlns:wst="${STS_NS.wst}" Context="ctx &amp; 1"><wst:SignChallenge><wst:Challenge>\n  opaque &lt;&amp;&gt; "challenge" &#13;\n</wst:Challenge></wst:SignChallenge></wst:RequestSecurityTokenResponse>`
    const answer = parseRstr(fromSts)
    expect(answer).toEqual({ kind: 'challenge', context: 'ctx & 1', challenge })
    if (answer.kind !== 'challenge') throw new Error('expected a challenge')
    const reply = buildChallengeResponse(answer)
    expect(parseChallengeResponse(reply)).toEqual({ context: 'ctx & 1', challenge })
  })

  it('buildChallengeResponse refuses an empty context or challenge', () => {
    expect(thrown(() => buildChallengeResponse({ context: '', challenge: 'x' })).code).toBe('ERR_INVALID_PARAMS')
    expect(thrown(() => buildChallengeResponse({ context: 'c', challenge: '' })).code).toBe('ERR_INVALID_PARAMS')
    expect(thrown(() => buildChallengeResponse({ context: 'c', challenge: 'a\u0001' })).code).toBe('ERR_INVALID_PARAMS')
  })

  it.each([
    ['an RST', `<wst:RequestSecurityToken xmlns:wst="${STS_NS.wst}" Context="c"/>`],
    ['no Context', `<wst:RequestSecurityTokenResponse xmlns:wst="${STS_NS.wst}"><wst:SignChallengeResponse><wst:Challenge>x</wst:Challenge></wst:SignChallengeResponse></wst:RequestSecurityTokenResponse>`],
    ['a SignChallenge instead of a SignChallengeResponse', `<wst:RequestSecurityTokenResponse xmlns:wst="${STS_NS.wst}" Context="c"><wst:SignChallenge><wst:Challenge>x</wst:Challenge></wst:SignChallenge></wst:RequestSecurityTokenResponse>`],
    ['an empty Challenge', `<wst:RequestSecurityTokenResponse xmlns:wst="${STS_NS.wst}" Context="c"><wst:SignChallengeResponse><wst:Challenge/></wst:SignChallengeResponse></wst:RequestSecurityTokenResponse>`],
  ])('parseChallengeResponse refuses %s', (_name, xml) => {
    expect(thrown(() => parseChallengeResponse(xml)).code).toBe('ERR_REMOTE_PROTOCOL')
  })
})
