import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { spawnAgentProcess, type AgentProcess } from '../helpers/agent-process.js'
import { runCliCaptured } from '../helpers/run-cli-captured.js'

// `ehagent start --env acc|prod --port P --state-dir EMPTY_DIR` starts with no settings file and
// no keystore: the shipped CA bundle is all the trust it needs, and a sign-in says what is missing.
const scratch = mkdtempSync(join(tmpdir(), 'start-real-'))
const started: AgentProcess[] = []
afterAll(async () => {
  await Promise.all(started.map((a) => a.stop()))
  rmSync(scratch, { recursive: true, force: true })
})

describe.each([
  ['acc', 'Acceptance'],
  ['prod', 'Production'],
] as const)('ehagent start --env %s on an empty state directory', (env, label) => {
  it('starts, answers /health, and a sign-in names what to configure', async () => {
    const agent = await spawnAgentProcess({ environment: env })
    started.push(agent)
    expect(agent.stderr()).not.toMatch(/error|refus/i)
    const health = await fetch(`${agent.url}/health`)
    expect(health.status).toBe(200)
    // It wrote its defaults (the command line's --env overrides them in memory only) and nothing else of the user's.
    expect(readdirSync(agent.stateDir).sort()).toEqual(expect.arrayContaining(['config.json', 'run']))
    expect(existsSync(join(agent.stateDir, 'sandbox'))).toBe(false)
    expect(JSON.parse(readFileSync(join(agent.stateDir, 'config.json'), 'utf8')).trustedStsCertificates).toEqual([])

    const cli = (args: string[]) => runCliCaptured([...args, '--state-dir', agent.stateDir, '--port', String(agent.port)], { home: scratch })
    const status = await cli(['status', '--json'])
    expect(status.code).toBe(0)
    expect(status.stdout).toContain(label)

    const login = await cli(['login', '--json'])
    expect(login.code).toBe(8) // invalid settings
    const error = JSON.parse(login.stdout) as { error: { code: string; message: string; data: { detail: string } } }
    expect(error.error.code).toBe('ERR_CONFIG_INVALID')
    expect(error.error.message).toContain('no eHealth keystore and no eID card reader are configured')
    expect(error.error.data.detail).toContain('login.keystore')
    expect(error.error.data.detail).toContain('ehagent doctor')
  }, 120_000)
})
