import type { SandboxRoutes } from './app.js'
import { controlRoutes } from './control/control-routes.js'
import { idpRoutes } from './idp/idp-routes.js'
import { iamConnectRoutes } from './oidc/iam-connect-routes.js'
import { samlpStsRoutes } from './sts/saml-p-sts.js'

/**
 * The sandbox parts that plug into the core app (createSandboxApp serves the WS-Trust STS and
 * the echo services itself): the legacy SAML-P STS, the IDP's fat-client SSO pages, IAM Connect,
 * and the control endpoint scripts and tests change faults and read request counts through.
 * `startSandbox` mounts them unless its caller passes its own list.
 */
export const SANDBOX_ROUTES: readonly SandboxRoutes[] = [samlpStsRoutes, idpRoutes, iamConnectRoutes, controlRoutes]

export { idpRoutes, samlpStsRoutes }
