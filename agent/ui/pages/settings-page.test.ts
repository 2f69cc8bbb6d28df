import { describe, expect, it } from 'vitest'
import { defaultConfig } from '../../config.js'
import { stringsFor } from '../i18n/strings.js'
import { renderSettingsPage } from './settings-page.js'

describe('the settings page and the proxy credentials', () => {
  it('never renders the proxy password, from its own setting or inside the proxy URL', () => {
    const config = { ...defaultConfig(), proxy: 'http://alice:In-Url-S3cret@proxy.hospital.example:8080', proxyUsername: 'alice', proxyPassword: 'Setting-S3cret' }
    const page = renderSettingsPage(stringsFor('en'), config, { csrf: 'c' }).toString()
    expect(page).not.toContain('S3cret')
    expect(page).toContain('value="http://alice:***@proxy.hospital.example:8080"')
    expect(page).toMatch(/<input id="f-proxyPassword" name="proxyPassword" type="password" autocomplete="off" value="" placeholder="set \(leave empty to keep it\)">/)
    const unset = renderSettingsPage(stringsFor('en'), defaultConfig(), { csrf: 'c' }).toString()
    expect(unset).toMatch(/name="proxyPassword" type="password" autocomplete="off" value="" placeholder="not set"/)
  })
})
