import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { findAgentUrl } from './find-agent.js'

const dir = mkdtempSync(join(tmpdir(), 'find-agent-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('findAgentUrl', () => {
  it('takes the port from the discovery file and always talks to 127.0.0.1', async () => {
    const file = join(dir, 'agent.json')
    writeFileSync(file, JSON.stringify({ port: 4752, url: 'http://evil.example:80' }))
    expect(await findAgentUrl(file)).toBe('http://127.0.0.1:4752')
  })

  it('no file, or a file without a usable port: ERR_AGENT_UNREACHABLE agent-not-running', async () => {
    await expect(findAgentUrl(join(dir, 'missing.json'))).rejects.toMatchObject({ code: 'ERR_AGENT_UNREACHABLE', data: { reason: 'agent-not-running' } })
    const bad = join(dir, 'bad.json')
    writeFileSync(bad, JSON.stringify({ port: '4752; rm -rf' }))
    await expect(findAgentUrl(bad)).rejects.toMatchObject({ code: 'ERR_AGENT_UNREACHABLE', data: { reason: 'agent-not-running', detail: expect.stringMatching(/^the discovery file is not valid: port: /) } })
    writeFileSync(bad, JSON.stringify({ port: 70000 }))
    await expect(findAgentUrl(bad)).rejects.toMatchObject({ code: 'ERR_AGENT_UNREACHABLE', data: { detail: expect.stringContaining('port') } })
    writeFileSync(bad, '{"port": 47')
    await expect(findAgentUrl(bad)).rejects.toMatchObject({ code: 'ERR_AGENT_UNREACHABLE', data: { detail: 'the discovery file is not JSON' } })
  })
})
