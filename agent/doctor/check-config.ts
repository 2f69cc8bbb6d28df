import { defaultConfig, loadConfig, type AgentConfig } from '../config.js'
import { isAgentError } from '../../protocol/errors.js'
import { makeCheck, type DoctorCheck } from './doctor-check.js'
import type { DoctorEnvironment } from './doctor-environment.js'

/**
 * The settings file: valid (every setting named when it is not), or absent (defaults; the agent
 * writes it on its first start, the doctor does not). The settings feed the later checks.
 */
export async function checkConfig(env: DoctorEnvironment): Promise<{ check: DoctorCheck; config?: AgentConfig }> {
  const file = env.paths.configFile
  // `--env` overrides the settings, as it does for `ehagent start`.
  const withEnv = (config: AgentConfig): AgentConfig => (env.environment ? { ...config, environment: env.environment } : config)
  if (!env.fileExists(file)) {
    const config = withEnv(defaultConfig())
    return { check: makeCheck('config', 'ok', `${file} does not exist yet: the defaults apply (environment ${config.environment}; the agent writes the file on its first start)`), config }
  }
  let config: AgentConfig
  const renamed: string[] = []
  try {
    config = withEnv(await loadConfig(file, (note) => renamed.push(note)))
  } catch (err) {
    if (!isAgentError(err)) throw err
    const issues = Array.isArray(err.data.issues) ? (err.data.issues as { path: string; message: string }[]) : []
    const listed = issues.length > 1 ? `; all problems: ${issues.map((i) => `${i.path || '(root)'}: ${i.message}`).join('; ')}` : ''
    return {
      check: makeCheck('config', 'fail', `${err.message}${listed}`, `edit ${file} and correct the setting named (README, "Configuration"), or move the file away to start from the defaults`),
    }
  }
  // What the agent needs at start beyond the schema: the files the settings name.
  const missing = [...config.trustedStsCertificates, ...(config.extraCaFile ? [config.extraCaFile] : [])].filter((f) => !env.fileExists(f))
  if (missing.length) {
    return { check: makeCheck('config', 'fail', `${file} names files that do not exist: ${missing.join(', ')}`, `correct trustedStsCertificates / extraCaFile in ${file}`), config }
  }
  if (config.environment !== 'sandbox' && config.trustedStsCertificates.length === 0) {
    return {
      check: makeCheck('config', 'fail', `no trusted STS certificate is configured for the ${config.environment} environment: the agent will not start`, `set trustedStsCertificates in ${file} to the PEM file(s) of the eHealth STS signing certificate`),
      config,
    }
  }
  if (renamed.length) {
    return { check: makeCheck('config', 'warn', `${file} is valid, with old names: ${renamed.map((n) => n.slice(file.length + 2)).join('; ')}`, `rename them in ${file} (or save the settings page once)`), config }
  }
  return { check: makeCheck('config', 'ok', `${file} is valid (environment ${config.environment}, port ${config.port})`), config }
}
