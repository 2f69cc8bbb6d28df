/**
 * The metadata files of the Debian package (Debian Policy 4.6: §5.3 and §5.6 control fields,
 * §12.5 copyright, §12.7 changelog), rendered from package.json and the installed tree. Pure.
 */

export interface DebControlInput {
  name: string
  version: string
  maintainer: string
  /** One line (Policy §3.4.1: under 80 characters, no full stop), then paragraphs. */
  summary: string
  description: string[]
  installedSizeKiB: number
  depends: string
  recommends: string
  homepage?: string
}

export function renderDebControl(c: DebControlInput): string {
  const fields: [string, string | undefined][] = [
    ['Package', c.name],
    ['Version', c.version],
    ['Architecture', 'amd64'],
    ['Maintainer', c.maintainer],
    ['Installed-Size', String(c.installedSizeKiB)],
    ['Depends', c.depends],
    ['Recommends', c.recommends],
    ['Section', 'utils'],
    ['Priority', 'optional'],
    ['Homepage', c.homepage],
    ['Description', `${c.summary}\n${c.description.map((p) => wrap(p, 78).map((l) => ` ${l}`).join('\n')).join('\n .\n')}`],
  ]
  return fields.filter(([, v]) => v !== undefined && v !== '').map(([k, v]) => `${k}: ${v}`).join('\n') + '\n'
}

/** A production dependency as its package.json describes it. */
export interface DependencyLicense {
  /** Its folder in the installed tree, e.g. `usr/lib/ehealth-agent/node_modules/zod`. */
  path: string
  name: string
  version: string
  license: string
  copyright: string
  /** The licence text's file in the installed tree, when the package ships one. */
  licenseFile?: string
}

/**
 * The machine-readable copyright file (copyright-format 1.0): the agent under its own licence,
 * the Node.js runtime and each production dependency under theirs, each pointing to the full
 * text installed beside it (Apache-2.0 is in /usr/share/common-licenses).
 */
export function renderDebCopyright(input: {
  name: string
  license: string
  copyright: string
  root: string
  runtime: { path: string; version: string; licenseFile: string }
  dependencies: DependencyLicense[]
}): string {
  const commonLicenses = new Set(['Apache-2.0', 'GPL-2', 'GPL-3', 'LGPL-2.1', 'LGPL-3', 'MPL-2.0', 'CC0-1.0', 'Artistic', 'BSD'])
  const paragraphs: string[] = [
    ['Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/', `Upstream-Name: ${input.name}`].join('\n'),
    [
      'Files: *',
      `Copyright: ${input.copyright}`,
      `License: ${input.license}`,
      commonLicenses.has(input.license)
        ? ` On Debian systems, the full text of the ${input.license} licence is in\n /usr/share/common-licenses/${input.license}.`
        : ` The licence named by package.json; see ${input.root}/package.json.`,
    ].join('\n'),
    [
      `Files: ${input.runtime.path}/*`,
      'Copyright: Node.js contributors and the authors of the libraries it bundles',
      'License: Node.js',
      ` Node.js ${input.runtime.version} (MIT) and the libraries built into it, each under`,
      ` its own licence; the full texts are in ${input.runtime.licenseFile}.`,
    ].join('\n'),
    ...input.dependencies.map((d) =>
      [
        `Files: ${d.path}/*`,
        `Copyright: ${d.copyright}`,
        `License: ${d.license}`,
        d.licenseFile ? ` ${d.name} ${d.version}; the full text is in\n ${d.licenseFile}.` : ` ${d.name} ${d.version}, licensed as its package.json says.`,
      ].join('\n'),
    ),
  ]
  return paragraphs.join('\n\n') + '\n'
}

/** A native package's changelog (Policy §4.4 format), one entry for the version built. */
export function renderDebChangelog(input: { name: string; version: string; maintainer: string; date: Date; changes: string[] }): string {
  return [
    `${input.name} (${input.version}) unstable; urgency=medium`,
    '',
    ...input.changes.map((c) => `  * ${c}`),
    '',
    ` -- ${input.maintainer}  ${formatRfc5322Date(input.date)}`,
    '',
  ].join('\n')
}

/** `Sun, 06 Dec 2026 20:35:31 +0000` (RFC 5322 §3.3, what `date -R` prints), in UTC. */
export function formatRfc5322Date(date: Date): string {
  const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat']
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']
  const pad = (n: number) => String(n).padStart(2, '0')
  return `${days[date.getUTCDay()]}, ${pad(date.getUTCDate())} ${months[date.getUTCMonth()]} ${date.getUTCFullYear()} ${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} +0000`
}

/** `md5sums`: one line per regular file, `<hex>  <path without the leading slash>` (dpkg's format). */
export function renderMd5sums(files: { path: string; md5: string }[]): string {
  return [...files].sort((a, b) => (a.path < b.path ? -1 : 1)).map((f) => `${f.md5}  ${f.path}\n`).join('')
}

function wrap(text: string, width: number): string[] {
  const lines: string[] = []
  let line = ''
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line)
      line = word
    } else line = line ? `${line} ${word}` : word
  }
  if (line) lines.push(line)
  return lines
}
