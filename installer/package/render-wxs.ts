import { createHash } from 'node:crypto'
import { escapeXml } from '../escape-xml.js'

/**
 * The WiX source (WiX 3 schema, the dialect msitools' `wixl` reads) of the per-user Windows
 * installer: every file of the Windows application tree under %LOCALAPPDATA%\Programs\<name>,
 * a Start-menu shortcut, HKCU registry values, and the commands run after installing and before
 * uninstalling. Pure: the same input gives the same text.
 */

export interface WxsRegistryValue {
  /** Under HKEY_CURRENT_USER, e.g. `Software\Classes\.ehtoken`. */
  key: string
  /** Undefined for the key's default value. */
  name?: string
  /** An MSI formatted string: `[INSTALLDIR]` is the installation folder, with its trailing backslash. */
  value: string
}

export interface WxsInput {
  name: string
  manufacturer: string
  /** `major.minor.patch`, what Windows Installer compares for upgrades. */
  version: string
  /** Fixed for the product's lifetime: it ties versions together for major upgrades. */
  upgradeCode: string
  productCode: string
  description: string
  /** Files of the tree: the path inside it (`/`-separated) and the file to read when building. */
  files: { path: string; source: string }[]
  /** The Start-menu shortcut: `target` and `args` are formatted strings. */
  shortcut: { name: string; description: string; target: string; args: string }
  registry: WxsRegistryValue[]
  /**
   * Run after the files are in place (the scheduled task, as the installing user) and before they
   * are removed: the program (formatted) and its arguments (formatted).
   */
  afterInstall: { program: string; args: string }
  beforeUninstall: { program: string; args: string }
}

/** Where the custom actions run in InstallExecuteSequence (the standard actions' numbers are WiX's). */
export const SEQUENCE = { setAfterInstall: 1001, setBeforeUninstall: 1002, runBeforeUninstall: 3499, runAfterInstall: 6601 } as const

/** What the MSI installs where, for tests that read the built package back. */
export const WXS_NAMES = { installDir: 'INSTALLDIR', registryRoot: 'Software\\ehealth-agent' } as const

interface DirNode {
  id: string
  name: string
  dirs: Map<string, DirNode>
  files: { path: string; source: string }[]
}

export function renderWxs(input: WxsInput): string {
  const root: DirNode = { id: WXS_NAMES.installDir, name: input.name, dirs: new Map(), files: [] }
  for (const file of [...input.files].sort((a, b) => a.path.localeCompare(b.path))) {
    const parts = file.path.split('/')
    if (parts.some((p) => p === '' || p === '.' || p === '..')) throw new Error(`not a relative path inside the tree: ${file.path}`)
    let node = root
    for (let i = 0; i < parts.length - 1; i++) {
      const dirPath = parts.slice(0, i + 1).join('/')
      let child = node.dirs.get(parts[i]!)
      if (!child) {
        child = { id: makeId('d', dirPath), name: parts[i]!, dirs: new Map(), files: [] }
        node.dirs.set(parts[i]!, child)
      }
      node = child
    }
    node.files.push(file)
  }
  const componentIds: string[] = []
  const renderDir = (node: DirNode, indent: string, isRoot: boolean): string[] => {
    const lines = [`${indent}<Directory Id="${node.id}" Name="${escapeXml(node.name)}">`]
    if (isRoot) {
      // The installation folder itself must go on uninstall (ICE64), with a per-user key path (ICE38).
      componentIds.push('InstallDirRemoval')
      lines.push(
        `${indent}  <Component Id="InstallDirRemoval" Guid="*" Win64="yes">`,
        `${indent}    <RemoveFolder Id="RemoveInstallDir" On="uninstall"/>`,
        `${indent}    <RegistryValue Root="HKCU" Key="${escapeXml(WXS_NAMES.registryRoot)}" Name="InstallDir" Type="string" Value="[${WXS_NAMES.installDir}]" KeyPath="yes"/>`,
        `${indent}  </Component>`,
      )
    }
    for (const file of node.files) {
      const component = makeId('c', file.path)
      componentIds.push(component)
      lines.push(
        `${indent}  <Component Id="${component}" Guid="*" Win64="yes">`,
        `${indent}    <File Id="${makeId('f', file.path)}" Name="${escapeXml(file.path.split('/').pop()!)}" Source="${escapeXml(file.source)}" KeyPath="yes"/>`,
        `${indent}  </Component>`,
      )
    }
    for (const child of [...node.dirs.values()]) lines.push(...renderDir(child, `${indent}  `, false))
    lines.push(`${indent}</Directory>`)
    return lines
  }
  const tree = renderDir(root, '          ', true)
  componentIds.push('StartMenu', 'Registry')

  const registryRows = input.registry.map(
    (r) =>
      `        <RegistryValue Root="HKCU" Key="${escapeXml(r.key)}"${r.name !== undefined ? ` Name="${escapeXml(r.name)}"` : ''} Type="string" Value="${escapeXml(r.value)}"/>`,
  )
  return [
    '<?xml version="1.0" encoding="utf-8"?>',
    '<Wix xmlns="http://schemas.microsoft.com/wix/2006/wi">',
    `  <Product Id="${input.productCode}" Name="${escapeXml(input.name)}" Language="1033" Version="${input.version}" Manufacturer="${escapeXml(input.manufacturer)}" UpgradeCode="${input.upgradeCode}">`,
    // perUser: no elevation is asked, everything goes to the user's profile (Windows Installer,
    // "Single Package Authoring": ALLUSERS unset, Word Count without "elevated privileges required").
    `    <Package InstallerVersion="500" Compressed="yes" InstallScope="perUser" Description="${escapeXml(input.description)}" Comments="${escapeXml(input.name)} ${input.version}"/>`,
    `    <MajorUpgrade DowngradeErrorMessage="A newer version of ${escapeXml(input.name)} is already installed."/>`,
    '    <Media Id="1" Cabinet="app.cab" EmbedCab="yes"/>',
    '    <Directory Id="TARGETDIR" Name="SourceDir">',
    '      <Directory Id="LocalAppDataFolder">',
    '        <Directory Id="ProgramsFolder" Name="Programs">',
    ...tree,
    '        </Directory>',
    '      </Directory>',
    '      <Directory Id="ProgramMenuFolder">',
    `        <Directory Id="ProgramMenuDir" Name="${escapeXml(input.name)}">`,
    '          <Component Id="StartMenu" Guid="*" Win64="yes">',
    `            <Shortcut Id="StartMenuShortcut" Name="${escapeXml(input.shortcut.name)}" Description="${escapeXml(input.shortcut.description)}" Target="${escapeXml(input.shortcut.target)}" Arguments="${escapeXml(input.shortcut.args)}" WorkingDirectory="${WXS_NAMES.installDir}"/>`,
    '            <RemoveFolder Id="RemoveProgramMenuDir" On="uninstall"/>',
    `            <RegistryValue Root="HKCU" Key="${escapeXml(WXS_NAMES.registryRoot)}" Name="StartMenu" Type="integer" Value="1" KeyPath="yes"/>`,
    '          </Component>',
    '        </Directory>',
    '      </Directory>',
    '    </Directory>',
    `    <DirectoryRef Id="${WXS_NAMES.installDir}">`,
    '      <Component Id="Registry" Guid="*" Win64="yes">',
    `        <RegistryValue Root="HKCU" Key="${escapeXml(WXS_NAMES.registryRoot)}" Name="Version" Type="string" Value="${input.version}" KeyPath="yes"/>`,
    ...registryRows,
    '      </Component>',
    '    </DirectoryRef>',
    '    <Feature Id="Main" Title="ehealth-agent" Level="1">',
    ...componentIds.map((id) => `      <ComponentRef Id="${id}"/>`),
    '    </Feature>',
    // Type 51 then type 50 custom actions (Windows Installer, "Custom Action Types"): a property
    // holding the program, then the program with arguments. Immediate and impersonated: they run as
    // the installing user, who owns the scheduled task. After InstallFinalize the files are in
    // place; an immediate action before RemoveFiles runs while they still are (the script that
    // removes them executes later). Return="ignore": a failed task registration must not undo the
    // installation (`ehagent doctor` and `ehagent install` can repeat it).
    `    <CustomAction Id="SetAfterInstallProgram" Property="EHAGENT_AFTER_INSTALL" Value="${escapeXml(input.afterInstall.program)}" Impersonate="yes"/>`,
    `    <CustomAction Id="SetBeforeUninstallProgram" Property="EHAGENT_BEFORE_UNINSTALL" Value="${escapeXml(input.beforeUninstall.program)}" Impersonate="yes"/>`,
    `    <CustomAction Id="RunAfterInstall" Property="EHAGENT_AFTER_INSTALL" ExeCommand="${escapeXml(input.afterInstall.args)}" Execute="immediate" Impersonate="yes" Return="ignore"/>`,
    `    <CustomAction Id="RunBeforeUninstall" Property="EHAGENT_BEFORE_UNINSTALL" ExeCommand="${escapeXml(input.beforeUninstall.args)}" Execute="immediate" Impersonate="yes" Return="ignore"/>`,
    // Explicit numbers around the standard actions' (CostFinalize 1000, RemoveFiles 3500,
    // InstallFinalize 6600): each action needs two neighbours, which After/Before cannot say.
    '    <InstallExecuteSequence>',
    `      <Custom Action="SetAfterInstallProgram" Sequence="${SEQUENCE.setAfterInstall}">NOT (REMOVE~="ALL")</Custom>`,
    `      <Custom Action="SetBeforeUninstallProgram" Sequence="${SEQUENCE.setBeforeUninstall}">REMOVE~="ALL"</Custom>`,
    `      <Custom Action="RunBeforeUninstall" Sequence="${SEQUENCE.runBeforeUninstall}">REMOVE~="ALL"</Custom>`,
    `      <Custom Action="RunAfterInstall" Sequence="${SEQUENCE.runAfterInstall}">NOT (REMOVE~="ALL")</Custom>`,
    '    </InstallExecuteSequence>',
    '  </Product>',
    '</Wix>',
    '',
  ].join('\n')
}

/** An MSI identifier (letters, digits, `_`, `.`; at most 72) for a path: a prefix and its hash. */
function makeId(prefix: string, path: string): string {
  return `${prefix}_${createHash('sha256').update(path).digest('hex').slice(0, 32)}`
}
