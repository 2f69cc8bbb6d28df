/**
 * The names the browser extension, its native messaging host and the installer share. Here, in
 * protocol/, because the installer and the clients may both import protocol/ and neither may
 * import the other.
 *
 * @module
 */

/**
 * The id of the extension in clients/browser-extension/extension as committed: fixed by the
 * `key` in its manifest.json (clients/browser-extension/extension-id.test.ts recomputes it), so
 * the native host manifest can name it exactly in `allowed_origins` and web applications can
 * address it with `chrome.runtime.sendMessage(EXTENSION_ID, …)`.
 */
export const EXTENSION_ID = 'genikcfmigceelnkkckhdkieobalmnob'

/**
 * The native messaging host's name: what the extension passes to `chrome.runtime.connectNative`
 * and the manifest's file name. Chrome allows lower-case letters, digits, `_` and `.` only (no
 * `-`), so it is not the product's name verbatim. The extension's copy is in
 * clients/browser-extension/extension/native-host-port.js.
 */
export const NATIVE_HOST_NAME = 'be.ehealth_agent.host'

/**
 * The directory, beside the agent's paired-clients file, where the native host keeps the
 * credential the agent gave each extension when the user approved its pairing. The installer
 * names it as user data it leaves on uninstall.
 */
export const HOST_CREDENTIAL_DIR = 'native-host'

/**
 * The HTTP header in which the native host tells the agent which website a request comes from
 * (the page origin the browser reported to the extension as `sender.origin`). The agent takes it
 * only from a client paired as a browser extension, and only for origins its settings allow.
 * A web page cannot set it: the agent's guards refuse every cross-origin request, and a custom
 * header would need a preflight they refuse too.
 */
export const WEB_ORIGIN_HEADER = 'ehealth-agent-web-origin'
