import { describe, expect, it } from 'vitest'
import { EXTENSION_ID, NATIVE_HOST_NAME } from './names.js'
import { renderHostManifest } from './render-host-manifest.js'

describe('renderHostManifest', () => {
  it('names the host, its absolute path, stdio, and exact extension origins with the trailing slash', () => {
    const text = renderHostManifest({ path: '/home/dr/.local/share/ehealth-agent/native-messaging-host', extensionIds: [EXTENSION_ID, 'abcdefghijklmnopabcdefghijklmnop', EXTENSION_ID] })
    expect(JSON.parse(text)).toEqual({
      name: 'be.ehealth_agent.host',
      description: expect.stringMatching(/ehealth-agent/),
      path: '/home/dr/.local/share/ehealth-agent/native-messaging-host',
      type: 'stdio',
      allowed_origins: [`chrome-extension://${EXTENSION_ID}/`, 'chrome-extension://abcdefghijklmnopabcdefghijklmnop/'],
    })
    expect(text.endsWith('}\n')).toBe(true)
    // The same input, the same bytes: installing twice writes the same file.
    expect(renderHostManifest({ path: '/x/host', extensionIds: [EXTENSION_ID] })).toBe(renderHostManifest({ path: '/x/host', extensionIds: [EXTENSION_ID] }))
  })

  it('has a name Chrome accepts: lower-case letters, digits, _ and dots, no leading, trailing or double dot', () => {
    expect(NATIVE_HOST_NAME).toMatch(/^[a-z0-9_]+(\.[a-z0-9_]+)*$/)
  })

  it('takes a Windows path as is (JSON-escaped)', () => {
    const text = renderHostManifest({ path: 'C:\\Users\\dr\\AppData\\Local\\ehealth-agent\\installer\\native-messaging-host.bat', extensionIds: [EXTENSION_ID] })
    expect(text).toContain('"path": "C:\\\\Users\\\\dr\\\\AppData')
  })

  it('refuses a wildcard, a pattern or a malformed id, no id at all, and a relative path', () => {
    for (const id of ['*', 'chrome-extension://*/', EXTENSION_ID.toUpperCase(), EXTENSION_ID.slice(1), `${EXTENSION_ID.slice(1)}z`]) {
      expect(() => renderHostManifest({ path: '/x/host', extensionIds: [id] })).toThrow(/not an extension id/)
    }
    expect(() => renderHostManifest({ path: '/x/host', extensionIds: [] })).toThrow(/at least one/)
    expect(() => renderHostManifest({ path: 'host.sh', extensionIds: [EXTENSION_ID] })).toThrow(/absolute/)
  })

  it('names a host beside the manifest by its file name only (Windows resolves it against the manifest\'s folder)', () => {
    const manifest = JSON.parse(renderHostManifest({ path: 'native-messaging-host.bat', besideManifest: true, extensionIds: [EXTENSION_ID] })) as { path: string }
    expect(manifest.path).toBe('native-messaging-host.bat')
    for (const path of ['..\\host.bat', 'sub/host.bat', 'C:\\x\\host.bat', '']) {
      expect(() => renderHostManifest({ path, besideManifest: true, extensionIds: [EXTENSION_ID] })).toThrow(/file name alone/)
    }
  })
})
