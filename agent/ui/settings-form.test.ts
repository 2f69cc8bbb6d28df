import { describe, expect, it } from 'vitest'
import { defaultConfig } from '../config.js'
import { formValue, readSettingsForm, removeLockedFields, SETTINGS_FIELDS } from './settings-form.js'

const MESSAGES = { notANumber: 'Enter a whole number.' }
const field = (name: string) => SETTINGS_FIELDS.find((f) => f.name === name)!

describe('readSettingsForm', () => {
  it('covers every setting of the settings file but trustedStsCertificates\' siblings it cannot edit', () => {
    expect(SETTINGS_FIELDS.map((f) => f.name).sort()).toEqual(
      [
        'allowedExtensionIds',
        'allowedWebOrigins',
        'extraCaFile',
        'defaultProfile',
        'environment',
        'language',
        'login.keystore',
        'login.method',
        'login.pkcs11Module',
        'login.pkcs11TokenLabel',
        'noProxy',
        'port',
        'privacyLog.retentionMonths',
        'proxy',
        'proxyPassword',
        'proxyUsername',
        'serviceAllowlist',
        'stsProtocol',
        'tokenLifetimeMinutes',
        'trustedStsCertificates',
      ].sort(),
    )
  })

  it('drops locked fields sent back unchanged and refuses a changed one (a forced submit)', () => {
    const effective = { ...defaultConfig(), environment: 'acc' as const, serviceAllowlist: ['https://a.example/', 'https://b.example/x'] }
    const locked = new Set(['environment', 'serviceAllowlist'])
    const same = removeLockedFields({ environment: 'acc', serviceAllowlist: ' https://a.example/\r\n\nhttps://b.example/x ', port: '5000' }, effective, locked)
    expect(same).toEqual({ form: { port: '5000' }, refused: [] })
    const forced = removeLockedFields({ environment: 'prod', serviceAllowlist: 'https://a.example/', port: '5000' }, effective, locked)
    expect(forced.refused).toEqual(['environment', 'serviceAllowlist'])
    expect(forced.form).toEqual({ port: '5000' })
  })

  it('reads numbers, lists (one per line) and optional texts; says what changed', () => {
    const current = defaultConfig()
    const result = readSettingsForm(
      {
        tokenLifetimeMinutes: ' 90 ',
        allowedExtensionIds: 'abcdefghijklmnopabcdefghijklmnop\r\n\n  ',
        'login.keystore': '/home/me/SSIN=1.acc.p12',
        'login.method': '',
        language: 'fr',
        csrf: 'ignored',
      },
      current,
      MESSAGES,
    )
    expect(result.ok).toBe(true)
    if (!result.ok) return
    expect(result.config).toMatchObject({ tokenLifetimeMinutes: 90, allowedExtensionIds: ['abcdefghijklmnopabcdefghijklmnop'], login: { keystore: '/home/me/SSIN=1.acc.p12' }, language: 'fr' })
    expect(result.config.login.method).toBeUndefined()
    expect(result.changed.sort()).toEqual(['allowedExtensionIds', 'language', 'login.keystore', 'tokenLifetimeMinutes'])
    expect(field('language').restart).toBe(false)
    // The websites of the browser extension are read at each request: no restart either.
    expect(field('allowedWebOrigins').restart).toBe(false)
    expect(SETTINGS_FIELDS.filter((f) => f.name !== 'language' && f.name !== 'allowedWebOrigins').every((f) => f.restart)).toBe(true)
  })

  it('takes exact website origins for the browser extension, and refuses wildcards and portless loopback', () => {
    const ok = readSettingsForm({ allowedWebOrigins: 'https://app.example.be\nhttp://127.0.0.1:8443' }, defaultConfig(), MESSAGES)
    expect(ok.ok && ok.config.allowedWebOrigins).toEqual(['https://app.example.be', 'http://127.0.0.1:8443'])
    const wildcard = readSettingsForm({ allowedWebOrigins: 'http://127.0.0.1:*' }, defaultConfig(), MESSAGES)
    expect(!wildcard.ok && wildcard.errors.allowedWebOrigins).toMatch(/wildcard/)
    const portless = readSettingsForm({ allowedWebOrigins: 'http://localhost' }, defaultConfig(), MESSAGES)
    expect(!portless.ok && portless.errors.allowedWebOrigins).toMatch(/port/)
    expect(defaultConfig().allowedWebOrigins).toEqual([])
  })

  it('an empty text removes the setting (the default applies)', () => {
    const current = { ...defaultConfig(), extraCaFile: '/etc/ca.pem' }
    const result = readSettingsForm({ extraCaFile: '  ' }, current, MESSAGES)
    expect(result.ok && result.config.extraCaFile).toBeUndefined()
    expect(result.ok && result.changed).toEqual(['extraCaFile'])
  })

  it('refuses what the settings schema refuses, per field, and keeps what was typed', () => {
    const result = readSettingsForm({ port: '80', allowedExtensionIds: 'not-an-id', serviceAllowlist: 'not a url', environment: 'mars' }, defaultConfig(), MESSAGES)
    expect(result.ok).toBe(false)
    if (result.ok) return
    expect(Object.keys(result.errors).sort()).toEqual(['allowedExtensionIds', 'environment', 'port', 'serviceAllowlist'])
    expect(result.errors.allowedExtensionIds).toBe('an extension id is 32 letters a-p')
    expect(result.values.port).toBe('80')
  })

  it('the proxy password is never shown, and an empty field keeps it', () => {
    const current = { ...defaultConfig(), proxy: 'http://proxy:3128', proxyUsername: 'alice', proxyPassword: 's3cret' }
    expect(formValue(current, field('proxyPassword'))).toBe('')
    const kept = readSettingsForm({ proxyPassword: '', proxyUsername: 'alice' }, current, MESSAGES)
    expect(kept).toMatchObject({ ok: true, changed: [], config: { proxyPassword: 's3cret' } })
    const changed = readSettingsForm({ proxyPassword: 'n3w' }, current, MESSAGES)
    expect(changed).toMatchObject({ ok: true, changed: ['proxyPassword'], config: { proxyPassword: 'n3w' } })
    // Typed back on a failed form: the password field comes back empty.
    const failed = readSettingsForm({ proxyPassword: 'n3w', port: '80' }, current, MESSAGES)
    expect(failed).toMatchObject({ ok: false, values: { proxyPassword: '' } })
  })

  it('a password inside the proxy URL is shown as ***, and *** sent back stands for it', () => {
    const current = { ...defaultConfig(), proxy: 'http://alice:s3cret@proxy:3128' }
    expect(formValue(current, field('proxy'))).toBe('http://alice:***@proxy:3128')
    expect(readSettingsForm({ proxy: 'http://alice:***@proxy:3128' }, current, MESSAGES)).toMatchObject({ ok: true, changed: [] })
    expect(readSettingsForm({ proxy: 'http://alice:***@proxy:8080' }, current, MESSAGES)).toMatchObject({ ok: true, config: { proxy: 'http://alice:s3cret@proxy:8080' } })
    expect(readSettingsForm({ proxy: 'http://bob:other@proxy:8080' }, current, MESSAGES)).toMatchObject({ ok: true, config: { proxy: 'http://bob:other@proxy:8080' } })
    expect(readSettingsForm({ proxy: 'socks5://proxy:1080' }, current, MESSAGES)).toMatchObject({ ok: false, errors: { proxy: expect.stringMatching(/socks5 proxies are not supported/) } })
  })

  it('a number that is not one', () => {
    const result = readSettingsForm({ tokenLifetimeMinutes: '1e3' }, defaultConfig(), MESSAGES)
    expect(result).toMatchObject({ ok: false, errors: { tokenLifetimeMinutes: 'Enter a whole number.' } })
  })

  it('formValue shows lists one per line and absent settings as empty', () => {
    const config = { ...defaultConfig(), serviceAllowlist: ['https://a.be/', 'https://b.be/x'] }
    expect(formValue(config, field('serviceAllowlist'))).toBe('https://a.be/\nhttps://b.be/x')
    expect(formValue(config, field('login.keystore'))).toBe('')
    expect(formValue(config, field('port'))).toBe('4752')
  })
})
