import type { MethodName } from '../../protocol/rpc/methods.js'
import type { MethodHandler } from './method-context.js'
import { agentStatus } from './methods/agent-status.js'
import { auditList } from './methods/audit-list.js'
import { clientList } from './methods/client-list.js'
import { clientPair } from './methods/client-pair.js'
import { clientRevoke } from './methods/client-revoke.js'
import { keysList } from './methods/keys-list.js'
import { profilesList } from './methods/profiles-list.js'
import { sessionImportToken } from './methods/session-import-token.js'
import { sessionLogin } from './methods/session-login.js'
import { sessionLogout } from './methods/session-logout.js'
import { sessionStatus } from './methods/session-status.js'
import { sessionSwitchProfile } from './methods/session-switch-profile.js'
import { settingsGet } from './methods/settings-get.js'
import { settingsSet } from './methods/settings-set.js'
import { soapCall } from './methods/soap-call.js'
import { soapSign } from './methods/soap-sign.js'
import { tokenInfo } from './methods/token-info.js'
import { uiLink } from './methods/ui-link.js'

/** Every method the agent serves; the compiler checks it covers the catalogue of protocol/rpc. */
export const METHOD_TABLE: { [M in MethodName]: MethodHandler<M> } = {
  'agent.status': agentStatus,
  'profiles.list': profilesList,
  'keys.list': keysList,
  'session.login': sessionLogin,
  'session.logout': sessionLogout,
  'session.switchProfile': sessionSwitchProfile,
  'session.importToken': sessionImportToken,
  'session.status': sessionStatus,
  'token.info': tokenInfo,
  'soap.sign': soapSign,
  'soap.call': soapCall,
  'client.pair': clientPair,
  'client.list': clientList,
  'client.revoke': clientRevoke,
  'audit.list': auditList,
  'ui.link': uiLink,
  'settings.get': settingsGet,
  'settings.set': settingsSet,
}
