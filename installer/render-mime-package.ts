import { SSO_TOKEN_FILE } from '../protocol/saml/sso-token-file.js'

/**
 * The shared-mime-info package for the `.ehtoken` file (Shared MIME-info Database spec 0.21):
 * the glob, and the root element for files saved under another name. Installed in the user's
 * `~/.local/share/mime/packages/`, compiled by `update-mime-database`.
 */
export function renderMimePackage(): string {
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<mime-info xmlns="http://www.freedesktop.org/standards/shared-mime-info">',
    `  <mime-type type="${SSO_TOKEN_FILE.contentType}">`,
    '    <comment>eHealth session token</comment>',
    '    <sub-class-of type="application/xml"/>',
    `    <glob pattern="*${SSO_TOKEN_FILE.extension}"/>`,
    `    <root-XML namespaceURI="${SSO_TOKEN_FILE.namespace}" localName="SessionToken"/>`,
    '  </mime-type>',
    '</mime-info>',
    '',
  ].join('\n')
}
