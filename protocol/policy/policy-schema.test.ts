import { describe, expect, it } from 'vitest'
import { AgentError } from '../errors.js'
import { checkPolicy, parsePolicyJson } from './parse-policy.js'
import { applyPolicy, findSettingLock, isProgramAllowed, listSettingLocks, matchesEndpointList, raiseUsePolicy, refuseLockedSetting, refuseWeakerUsePolicy } from './policy-locks.js'

const origin = { kind: 'file', location: '/etc/ehealth-agent/policy.json' } as const

function refusal(text: string): AgentError {
  try {
    parsePolicyJson(text, origin)
  } catch (err) {
    if (err instanceof AgentError) return err
    throw err
  }
  throw new Error('expected the policy to be refused')
}

describe('the policy schema', () => {
  it('accepts every field, and an empty policy', () => {
    const policy = {
      environment: 'prod',
      allowedServiceEndpoints: ['https://services.ehealth.fgov.be/'],
      allowedExtensionOrigins: ['chrome-extension://abcdefghijklmnopabcdefghijklmnop'],
      allowedWebOrigins: ['https://his.hospital.example', 'http://localhost:8443'],
      allowedPrograms: ['/opt/his/bin/his', 'C:\\Program Files\\HIS\\his.exe'],
      minimumUsePolicy: 'ask',
      auditRetentionMonths: 60,
      proxy: 'http://proxy.example:3128',
      noProxy: '.hospital.example',
      language: 'fr',
    }
    expect(parsePolicyJson(JSON.stringify(policy), origin)).toEqual(policy)
    expect(parsePolicyJson('{}', origin)).toEqual({})
  })

  it.each([
    ['an unknown field', '{"enviroment":"prod"}', 'enviroment'],
    ['a wrong environment', '{"environment":"production"}', 'environment'],
    ['a relative program path', '{"allowedPrograms":["/bin/ok","his.exe"]}', 'allowedPrograms.1'],
    ['an endpoint that is not a URL', '{"allowedServiceEndpoints":["services.ehealth.fgov.be"]}', 'allowedServiceEndpoints.0'],
    ['an extension id without its scheme', '{"allowedExtensionOrigins":["abcdefghijklmnopabcdefghijklmnop"]}', 'allowedExtensionOrigins.0'],
    ['a proxy with a password', '{"proxy":"http://u:secret@proxy:3128"}', 'proxy'],
    ['a website with a wildcard', '{"allowedWebOrigins":["https://*.example"]}', 'allowedWebOrigins.0'],
    ['a website with a path', '{"allowedWebOrigins":["https://his.example/app"]}', 'allowedWebOrigins.0'],
    ['noProxy without a proxy', '{"noProxy":"localhost"}', 'noProxy'],
    ['a retention of zero months', '{"auditRetentionMonths":0}', 'auditRetentionMonths'],
    ['a use policy that does not exist', '{"minimumUsePolicy":"never"}', 'minimumUsePolicy'],
    ['not an object', '[]', '(root)'],
    ['not JSON', '{"environment":', '(root)'],
  ])('refuses %s, naming the field and the file', (_what, text, field) => {
    const err = refusal(text)
    expect(err.code).toBe('ERR_POLICY_INVALID')
    expect(err.data.field).toBe(field)
    expect(err.data.source).toBe('/etc/ehealth-agent/policy.json')
    expect(err.message).toContain('/etc/ehealth-agent/policy.json')
    if (field !== '(root)') expect(err.message).toContain(field)
  })

  it('never echoes a proxy password in the error', () => {
    expect(JSON.stringify(refusal('{"proxy":"http://u:secret@proxy:3128"}').data)).not.toContain('secret')
  })
})

describe('the policy over the settings', () => {
  const settings = {
    environment: 'sandbox',
    serviceAllowlist: ['https://user.example/'],
    allowedExtensionIds: [] as string[],
    privacyLog: { retentionMonths: 24, maxDiskMiB: 1024 },
    language: 'en' as string | undefined,
  }
  const policy = checkPolicy(
    {
      environment: 'acc',
      allowedServiceEndpoints: ['https://a.example/'],
      allowedExtensionOrigins: ['chrome-extension://abcdefghijklmnopabcdefghijklmnop'],
      allowedWebOrigins: ['https://his.example'],
      auditRetentionMonths: 120,
      proxy: 'http://p:3128',
    },
    origin,
  )

  it('fixes what the policy names and keeps the rest; the user settings are not changed', () => {
    const merged = applyPolicy(settings, policy)
    expect(merged).toEqual({
      environment: 'acc',
      serviceAllowlist: ['https://a.example/'],
      allowedExtensionIds: ['abcdefghijklmnopabcdefghijklmnop'],
      allowedWebOrigins: ['https://his.example'],
      privacyLog: { retentionMonths: 120, maxDiskMiB: 1024 },
      language: 'en',
      proxy: 'http://p:3128',
      // A proxy without exceptions: everything goes through it (the user's own list is replaced).
      noProxy: '',
    })
    expect(settings.environment).toBe('sandbox')
    expect(settings.privacyLog.retentionMonths).toBe(24)
  })

  it('lists the locks, and finds one by setting, by section or by a setting inside it', () => {
    expect(listSettingLocks(policy).map((l) => l.setting)).toEqual(['environment', 'serviceAllowlist', 'allowedExtensionIds', 'allowedWebOrigins', 'privacyLog.retentionMonths', 'proxy', 'noProxy'])
    expect(findSettingLock(policy, 'noProxy')?.policyField).toBe('proxy')
    expect(findSettingLock(policy, 'proxyUsername')).toBeUndefined()
    expect(findSettingLock(policy, 'proxyPassword')).toBeUndefined()
    expect(listSettingLocks(checkPolicy({ proxy: 'http://p:3128', noProxy: '.lan' }, origin)).find((l) => l.setting === 'noProxy')).toMatchObject({ value: '.lan', policyField: 'noProxy' })
    expect(findSettingLock(policy, 'privacyLog')?.policyField).toBe('auditRetentionMonths')
    expect(findSettingLock(policy, 'privacyLog.retentionMonths')?.setting).toBe('privacyLog.retentionMonths')
    expect(findSettingLock(policy, 'privacyLog.maxDiskMiB')).toBeUndefined()
    expect(findSettingLock(policy, 'language')).toBeUndefined()
    expect(listSettingLocks({})).toEqual([])
  })

  it('refuses a locked setting with ERR_SETTING_LOCKED naming the setting and the policy', () => {
    const err = refuseLockedSetting('environment', { origin, present: true, policy })
    expect(err?.code).toBe('ERR_SETTING_LOCKED')
    expect(err?.data).toMatchObject({ setting: 'environment', source: '/etc/ehealth-agent/policy.json', policyField: 'environment' })
    expect(refuseLockedSetting('port', { origin, present: true, policy })).toBeUndefined()
  })

  it('raises a weaker use policy to the minimum, never lowers a stronger one', () => {
    expect(raiseUsePolicy(undefined, 'notify')).toBe('notify')
    expect(raiseUsePolicy('silent', 'ask')).toBe('ask')
    expect(raiseUsePolicy('ask', 'notify')).toBe('ask')
    expect(raiseUsePolicy('notify', undefined)).toBe('notify')
  })

  it('refuses a use policy weaker than the minimum with ERR_SETTING_LOCKED naming the minimum and the policy', () => {
    const inEffect = { origin, present: true, policy: checkPolicy({ minimumUsePolicy: 'notify' }, origin) }
    const err = refuseWeakerUsePolicy('silent', inEffect)
    expect(err?.code).toBe('ERR_SETTING_LOCKED')
    expect(err?.data).toMatchObject({ setting: 'usePolicy', policyField: 'minimumUsePolicy', minimum: 'notify', source: '/etc/ehealth-agent/policy.json' })
    expect(err?.message).toContain('/etc/ehealth-agent/policy.json')
    expect(refuseWeakerUsePolicy('notify', inEffect)).toBeUndefined()
    expect(refuseWeakerUsePolicy('ask', inEffect)).toBeUndefined()
    expect(refuseWeakerUsePolicy('silent', { origin, present: false, policy: {} })).toBeUndefined()
  })

  it('matches endpoints exactly or by a prefix ending in /', () => {
    expect(matchesEndpointList('https://a.example/x/y', ['https://a.example/'])).toBe(true)
    expect(matchesEndpointList('https://a.example.evil/x', ['https://a.example'])).toBe(false)
    expect(matchesEndpointList('https://a.example', ['https://a.example'])).toBe(true)
  })

  it('allows programs by exact path (Windows paths without case); an unknown executable is not allowed', () => {
    expect(isProgramAllowed('/opt/his/his', undefined)).toBe(true)
    expect(isProgramAllowed('/opt/his/his', ['/opt/his/his'])).toBe(true)
    expect(isProgramAllowed('/opt/his/HIS', ['/opt/his/his'])).toBe(false)
    expect(isProgramAllowed('c:\\program files\\his\\HIS.EXE', ['C:\\Program Files\\HIS\\his.exe'])).toBe(true)
    expect(isProgramAllowed(undefined, ['/opt/his/his'])).toBe(false)
  })
})
