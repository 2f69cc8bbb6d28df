import { describe, expect, it } from 'vitest'
import { findElement, parseXmlWithPython } from '../test/helpers/parse-with-python.js'
import type { InstallContext } from './install-context.js'
import { quoteDesktopExecArg, renderDesktopExec } from './quote-desktop-exec.js'
import { renderTokenHandlerEntry, renderTrayAutostartEntry } from './render-desktop-entries.js'
import { renderMimePackage } from './render-mime-package.js'

const ctx: InstallContext = { platform: 'linux', home: '/home/dr', env: {}, nodePath: '/usr/bin/node', binPath: '/opt/ehealth-agent/bin/ehagent.js' }

// desktop-file-validate, the freedesktop.org reference checker, reads these entries in
// render-desktop-entries.system.test.ts.

describe('the Linux desktop entries', () => {
  it('the token handler claims the .ehtoken MIME type and runs import-token on the file', () => {
    const entry = renderTokenHandlerEntry(ctx)
    expect(entry).toMatch(/^MimeType=application\/vnd\.ehealth-agent\.sso-token\+xml;$/m)
    expect(entry).toMatch(/^Exec=\/usr\/bin\/node \/opt\/ehealth-agent\/bin\/ehagent\.js import-token %f$/m)
    expect(entry).toMatch(/^NoDisplay=true$/m)
  })

  it('passes --state-dir through, quoted per the Exec rules', () => {
    const entry = renderTokenHandlerEntry({ ...ctx, stateDir: '/home/dr/My eHealth $x' })
    expect(entry).toContain('import-token --state-dir "/home/dr/My eHealth \\\\$x" %f')
  })

  it('the tray autostart entry hands the display to the user manager and restarts the agent', () => {
    const entry = renderTrayAutostartEntry()
    expect(entry).toMatch(/^Exec=sh -c "systemctl --user import-environment DISPLAY WAYLAND_DISPLAY XAUTHORITY DBUS_SESSION_BUS_ADDRESS; systemctl --user restart ehealth-agent\.service"$/m)
  })

  it('quotes Exec arguments: reserved characters, field codes, backslashes', () => {
    expect(quoteDesktopExecArg('/usr/bin/node')).toBe('/usr/bin/node')
    expect(quoteDesktopExecArg('a b')).toBe('"a b"')
    expect(quoteDesktopExecArg('100%')).toBe('100%%')
    expect(quoteDesktopExecArg('a"b')).toBe('"a\\\\"b"')
    expect(quoteDesktopExecArg('C:\\x y')).toBe('"C:\\\\\\\\x y"')
    expect(renderDesktopExec(['x'], '%F')).toBe('x %F')
  })

  it('the shared-mime-info package maps *.ehtoken and the root element to the type', () => {
    const root = parseXmlWithPython(Buffer.from(renderMimePackage()))
    const ns = '{http://www.freedesktop.org/standards/shared-mime-info}'
    expect(root.tag).toBe(`${ns}mime-info`)
    const type = findElement(root, ['mime-type'])!
    expect(type.attrib.type).toBe('application/vnd.ehealth-agent.sso-token+xml')
    expect(findElement(type, ['glob'])!.attrib.pattern).toBe('*.ehtoken')
    expect(findElement(type, ['root-XML'])!.attrib).toEqual({ namespaceURI: 'urn:ehealth-agent:sso-token:v1', localName: 'SessionToken' })
  })
})
