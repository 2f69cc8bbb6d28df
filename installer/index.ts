/**
 * The installer as the CLI loads it for `ehagent install` and `ehagent uninstall`
 * (clients/cli/load-server.ts): plan the per-user service for this machine, apply the plan, undo it.
 *
 * @module
 */
export { applyInstall, type InstallOutcome } from './apply-install.js'
export { applyUninstall, type UninstallOutcome } from './apply-uninstall.js'
export { locateBundledProgram, type InstallContext } from './install-context.js'
export type { InstallPlan, InstallStep } from './install-plan.js'
export { planInstall, type PlanOptions } from './plan-install.js'
export { createToolRunner, type ToolResult, type ToolRunner } from './run-tool.js'
