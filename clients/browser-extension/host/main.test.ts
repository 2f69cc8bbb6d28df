import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { createFrameDecoder, encodeFrame, type FrameEvent } from './native-messaging-frames.js'

const MAIN = fileURLToPath(new URL('./main.ts', import.meta.url))
const ORIGIN = 'chrome-extension://genikcfmigceelnkkckhdkieobalmnob/'
const stateDir = mkdtempSync(join(tmpdir(), 'host-main-'))
afterAll(() => rmSync(stateDir, { recursive: true, force: true }))

describe('the host process', () => {
  it('speaks only frames on stdout: with no agent running, a typed ERR_AGENT_UNREACHABLE answer, then exits 0 when the browser closes the pipe', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', MAIN, '--state-dir', stateDir, ORIGIN], { stdio: ['pipe', 'pipe', 'pipe'] })
    const stdout: Buffer[] = []
    const events: FrameEvent[] = []
    const decode = createFrameDecoder(1024 * 1024, (e) => events.push(e))
    child.stdout.on('data', (d: Buffer) => {
      stdout.push(d)
      decode(d)
    })
    let stderr = ''
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    child.stdin.end(encodeFrame({ jsonrpc: '2.0', id: 1, method: 'soap.sign', params: { envelope: '<e/>' }, origin: 'http://127.0.0.1:1' }))
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve))
    expect(code).toBe(0)
    expect(events).toEqual([
      {
        kind: 'message',
        value: {
          jsonrpc: '2.0',
          id: 1,
          error: { code: -32062, message: 'the ehealth-agent is not running on this computer', data: expect.objectContaining({ code: 'ERR_AGENT_UNREACHABLE', reason: 'agent-not-running' }) },
        },
      },
    ])
    // Exactly one frame's bytes: nothing else was printed to stdout.
    const bytes = Buffer.concat(stdout)
    expect(bytes.readUInt32LE(0) + 4).toBe(bytes.length)
    expect(stderr).toContain('soap.sign for http://127.0.0.1:1: ERR_AGENT_UNREACHABLE')
  })

  it('started by anything but Chrome (no extension origin), it says so on stderr and exits 2', () => {
    const run = spawnSync(process.execPath, ['--import', 'tsx', MAIN], { input: '', encoding: 'utf8' })
    expect(run.status).toBe(2)
    expect(run.stdout).toBe('')
    expect(run.stderr).toMatch(/native messaging host, started by Chrome/)
  })
})
