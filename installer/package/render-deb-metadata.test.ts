import { describe, expect, it } from 'vitest'
import { formatRfc5322Date, renderDebChangelog, renderDebControl, renderDebCopyright, renderMd5sums } from './render-deb-metadata.js'

/** deb822 paragraphs (Policy §5.1) as field maps; continuation lines joined with "\n". */
function readDeb822(text: string): Record<string, string>[] {
  return text
    .trim()
    .split(/\n\n+/)
    .map((para) => {
      const fields: Record<string, string> = {}
      let last = ''
      for (const line of para.split('\n')) {
        if (/^\s/.test(line)) fields[last] += `\n${line.slice(1)}`
        else {
          const m = /^([A-Za-z0-9-]+): ?(.*)$/.exec(line)
          if (!m) throw new Error(`not a field line: ${line}`)
          last = m[1]!
          fields[last] = m[2]!
        }
      }
      return fields
    })
}

describe('the Debian control file', () => {
  it('has the fields dpkg needs, a short synopsis, and the long description wrapped with " ." between paragraphs', () => {
    const long = 'word '.repeat(40).trim()
    const text = renderDebControl({
      name: 'ehealth-agent',
      version: '0.1.0',
      maintainer: 'Jan Peeters <jan@example.be>',
      summary: 'background agent for the Belgian eHealth platform',
      description: [long, 'Second paragraph.'],
      installedSizeKiB: 104774,
      depends: 'libc6 (>= 2.34)',
      recommends: 'shared-mime-info',
    })
    const [control] = readDeb822(text)
    expect(control).toMatchObject({ Package: 'ehealth-agent', Version: '0.1.0', Architecture: 'amd64', 'Installed-Size': '104774', Depends: 'libc6 (>= 2.34)' })
    expect(control!.Homepage).toBeUndefined()
    const [synopsis, ...body] = control!.Description!.split('\n')
    expect(synopsis).toBe('background agent for the Belgian eHealth platform')
    expect(body).toContain('.')
    for (const line of text.split('\n')) expect(line.length).toBeLessThanOrEqual(80)
    expect(body.filter((l) => l !== '.').join(' ')).toBe(`${long} Second paragraph.`)
  })
})

describe('the copyright file (copyright-format 1.0)', () => {
  it('has a header and a Files/Copyright/License paragraph for the agent, the runtime and each dependency', () => {
    const paragraphs = readDeb822(
      renderDebCopyright({
        name: 'ehealth-agent',
        license: 'Apache-2.0',
        copyright: '2026 the ehealth-agent authors',
        root: '/usr/lib/ehealth-agent',
        runtime: { path: 'usr/lib/ehealth-agent/runtime', version: '20.20.2', licenseFile: '/usr/lib/ehealth-agent/runtime/LICENSE' },
        dependencies: [
          { path: 'usr/lib/ehealth-agent/node_modules/zod', name: 'zod', version: '4.6.7', license: 'MIT', copyright: 'Colin McDonnell', licenseFile: '/usr/lib/ehealth-agent/node_modules/zod/LICENSE' },
          { path: 'usr/lib/ehealth-agent/node_modules/x', name: 'x', version: '1.0.0', license: 'ISC', copyright: 'the authors of x' },
        ],
      }),
    )
    expect(paragraphs[0]).toMatchObject({ Format: 'https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/', 'Upstream-Name': 'ehealth-agent' })
    expect(paragraphs.slice(1).map((p) => p.Files)).toEqual(['*', 'usr/lib/ehealth-agent/runtime/*', 'usr/lib/ehealth-agent/node_modules/zod/*', 'usr/lib/ehealth-agent/node_modules/x/*'])
    for (const p of paragraphs.slice(1)) expect(Object.keys(p).sort()).toEqual(['Copyright', 'Files', 'License'])
    expect(paragraphs[1]!.License).toMatch(/^Apache-2.0\n.*\/usr\/share\/common-licenses\/Apache-2.0/s)
    expect(paragraphs[3]!.License).toMatch(/^MIT\n.*node_modules\/zod\/LICENSE/s)
  })
})

describe('the changelog and md5sums', () => {
  it('dates the entry as `date -R` does and signs it with the maintainer', () => {
    expect(formatRfc5322Date(new Date(Date.UTC(2026, 11, 6, 20, 35, 31)))).toBe('Sun, 06 Dec 2026 20:35:31 +0000')
    const text = renderDebChangelog({ name: 'ehealth-agent', version: '0.1.0', maintainer: 'Jan <jan@example.be>', date: new Date(Date.UTC(2025, 0, 1)), changes: ['Built.'] })
    expect(text.split('\n')).toEqual(['ehealth-agent (0.1.0) unstable; urgency=medium', '', '  * Built.', '', ' -- Jan <jan@example.be>  Wed, 01 Jan 2025 00:00:00 +0000', ''])
  })

  it('lists one `<md5>  <path>` line per file, sorted', () => {
    expect(renderMd5sums([{ path: 'usr/bin/b', md5: 'bb' }, { path: 'usr/bin/a', md5: 'aa' }])).toBe('aa  usr/bin/a\nbb  usr/bin/b\n')
  })
})
