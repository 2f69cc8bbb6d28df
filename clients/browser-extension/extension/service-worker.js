/**
 * The extension's service worker: web pages of the origins in `externally_connectable.matches`
 * send it JSON-RPC requests with `chrome.runtime.sendMessage(<extension id>, request, callback)`;
 * it forwards them, with the page's origin as the browser reported it, to the native messaging
 * host, which asks the agent. No web page ever fetches the agent's loopback port (threat T13:
 * browsers increasingly block that), and no page talks to the host directly.
 */
import { createNativeHostClient } from './native-host-port.js'
import { isAllowedOrigin, senderOrigin } from './origin-allowlist.js'
import { pageError, readPageRequest } from './page-request.js'

const allowedMatches = chrome.runtime.getManifest().externally_connectable?.matches ?? []

const host = createNativeHostClient({
  connect: (name) => chrome.runtime.connectNative(name),
  lastError: () => chrome.runtime.lastError?.message,
})

chrome.runtime.onMessageExternal.addListener((message, sender, sendResponse) => {
  // Web pages only: another extension (sender.id) has no business here, and neither has a page
  // the manifest does not name (Chrome refuses those already; see origin-allowlist.js). The
  // origin is the browser's (MessageSender), never one from the page's message: the agent shows
  // it to the user and checks it against its own list of allowed websites.
  const origin = senderOrigin(sender)
  if (sender.id !== undefined || !isAllowedOrigin(origin, allowedMatches)) {
    sendResponse(pageError(null, 'ERR_UNAUTHORIZED'))
    return false
  }
  const read = readPageRequest(message)
  if (!read.ok) {
    sendResponse(read.response)
    return false
  }
  const { id, method, params } = read.request
  host
    .request(method, params, /** @type {string} */ (origin))
    // The host numbers its own requests; the page gets its answer under the id it chose.
    .then((answer) => sendResponse({ ...answer, id }))
    .catch(() => sendResponse(pageError(id, 'ERR_INTERNAL')))
  // Keeps sendResponse valid until the host answers.
  return true
})
