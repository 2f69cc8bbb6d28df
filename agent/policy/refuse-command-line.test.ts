import { describe, expect, it } from 'vitest'
import { AgentError } from '../../protocol/errors.js'
import { checkPolicy } from '../../protocol/policy/parse-policy.js'
import { refuseCommandLineOverrides } from './refuse-command-line.js'

const origin = { kind: 'file', location: '/etc/ehealth-agent/policy.json' } as const
const policy = { origin, present: true, policy: checkPolicy({ environment: 'prod', proxy: 'http://proxy.hospital.example:3128' }, origin) }

function refusal(options: Parameters<typeof refuseCommandLineOverrides>[0]): AgentError {
  try {
    refuseCommandLineOverrides(options, policy)
  } catch (err) {
    if (err instanceof AgentError) return err
    throw err
  }
  throw new Error('expected a refusal')
}

describe('ehagent start --env/--proxy against the admin policy', () => {
  it('refuses --proxy naming another proxy, naming the option, the setting and the policy, the password masked', () => {
    const err = refusal({ proxy: 'http://me:hunter2@my.proxy:8080' })
    expect(err.code).toBe('ERR_SETTING_LOCKED')
    expect(err.data).toMatchObject({ setting: 'proxy', policyField: 'proxy', source: '/etc/ehealth-agent/policy.json', option: '--proxy' })
    expect(err.message).toContain('--proxy http://me:***@my.proxy:8080')
    expect(err.message).toContain('/etc/ehealth-agent/policy.json')
    expect(JSON.stringify({ message: err.message, data: err.data })).not.toContain('hunter2')
  })

  it('refuses --env naming another environment', () => {
    expect(refusal({ env: 'acc' }).data).toMatchObject({ setting: 'environment', option: '--env' })
  })

  it('lets through the policy’s own values (the same proxy with the user’s credentials, the same environment) and what the policy leaves free', () => {
    expect(() => refuseCommandLineOverrides({ env: 'prod', proxy: 'http://alice:pw@proxy.hospital.example:3128' }, policy)).not.toThrow()
    expect(() => refuseCommandLineOverrides({ proxy: 'proxy.hospital.example:3128' }, policy)).not.toThrow()
    expect(() => refuseCommandLineOverrides({ env: 'acc', proxy: 'http://my.proxy:8080' }, { origin, present: false, policy: {} })).not.toThrow()
    expect(refusal({ proxy: 'http://proxy.hospital.example:3129' }).code).toBe('ERR_SETTING_LOCKED')
  })
})
