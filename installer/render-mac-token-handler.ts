import { SSO_TOKEN_FILE } from '../protocol/saml/sso-token-file.js'
import { buildAgentCommand, INSTALL_NAMES, type InstallContext } from './install-context.js'
import { renderPlist } from './render-plist.js'

/**
 * The `.ehtoken` handler on macOS. Finder hands a document to an application as an Apple Event
 * ("odoc"), never as argv, so a shell script cannot receive it: the handler is a small AppleScript
 * applet (compiled with osacompile) whose `on open` runs `ehagent import-token FILE`.
 */
export function renderTokenHandlerScript(ctx: InstallContext): string {
  const parts = buildAgentCommand(ctx, 'import-token').map((word) => `quoted form of ${appleScriptString(word)}`).join(' & " " & ')
  return [
    '-- Installed by `ehagent install`: opens downloaded eHealth session tokens in ehealth-agent.',
    'on open theFiles',
    '\trepeat with theFile in theFiles',
    `\t\tdo shell script ${parts} & " " & quoted form of POSIX path of theFile`,
    '\tend repeat',
    'end open',
    '',
  ].join('\n')
}

/**
 * The applet's Info.plist: the keys osacompile writes for an applet (CFBundleExecutable `applet`,
 * signature `aplt`), plus the document type (CFBundleDocumentTypes) and the exported type
 * declaration (UTExportedTypeDeclarations) that tie `.ehtoken` and its MIME type to it.
 */
export function renderTokenHandlerInfoPlist(version: string): string {
  return renderPlist({
    CFBundleDevelopmentRegion: 'en',
    CFBundleExecutable: 'applet',
    CFBundleIconFile: 'applet',
    CFBundleIdentifier: INSTALL_NAMES.macTokenAppId,
    CFBundleInfoDictionaryVersion: '6.0',
    CFBundleName: 'ehealth-agent Token Import',
    CFBundlePackageType: 'APPL',
    CFBundleShortVersionString: version,
    CFBundleSignature: 'aplt',
    LSBackgroundOnly: true,
    LSMinimumSystemVersion: '10.13',
    CFBundleDocumentTypes: [
      {
        CFBundleTypeName: 'eHealth session token',
        CFBundleTypeRole: 'Viewer',
        LSHandlerRank: 'Owner',
        LSItemContentTypes: [INSTALL_NAMES.macTokenUti],
      },
    ],
    UTExportedTypeDeclarations: [
      {
        UTTypeIdentifier: INSTALL_NAMES.macTokenUti,
        UTTypeDescription: 'eHealth session token',
        UTTypeConformsTo: ['public.xml', 'public.data'],
        UTTypeTagSpecification: {
          'public.filename-extension': [SSO_TOKEN_FILE.extension.slice(1)],
          'public.mime-type': [SSO_TOKEN_FILE.contentType],
        },
      },
    ],
  })
}

/** An AppleScript string literal: `\` and `"` escaped. */
function appleScriptString(text: string): string {
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`
}
