import { PassThrough } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { ENVIRONMENTS } from '../../protocol/environments.js'
import { printBanner } from './print-banner.js'
import type { RunningAgent } from './start-agent-options.js'

/** The parts of a running agent the banner reads. */
function fakeAgent(proxy: string | undefined): RunningAgent {
  return {
    url: 'http://127.0.0.1:4752',
    port: 4752,
    services: { environment: ENVIRONMENTS.prod },
    sandbox: undefined,
    credentialFile: '/run/user/1000/ehealth-agent/credential',
    proxy,
  } as unknown as RunningAgent
}

function banner(agent: RunningAgent, json: boolean): string {
  const out = new PassThrough()
  let text = ''
  out.on('data', (d: Buffer) => (text += d.toString()))
  printBanner(out, agent, { json, version: '1.0.0', demo: false, stateDir: undefined })
  return text
}

describe('printBanner', () => {
  it('names the proxy eHealth traffic goes through, masked as given, in text and JSON', () => {
    const proxy = 'http://alice:***@proxy.hospital.example:8080 (from the setting "proxy")'
    expect(banner(fakeAgent(proxy), false)).toContain(`\n  Proxy        ${proxy}\n`)
    expect(JSON.parse(banner(fakeAgent(proxy), true))).toMatchObject({ proxy, environment: 'prod' })
  })

  it('says nothing about a proxy when there is none', () => {
    expect(banner(fakeAgent(undefined), false)).not.toContain('Proxy')
    expect(JSON.parse(banner(fakeAgent(undefined), true))).not.toHaveProperty('proxy')
  })
})
