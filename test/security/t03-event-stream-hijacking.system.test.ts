import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { launchChromium, serveAttackerSite } from '../helpers/browser.js'
import { startTestAgent, type TestAgent } from '../helpers/start-test-agent.js'

// Threat T3, cross-site hijacking of a stream, from a web page in real headless Chromium: the
// browser's own EventSource meets the agent's Origin check. The checks themselves, over plain
// HTTP, are in t03-event-stream-hijacking.test.ts.

let t: TestAgent

beforeAll(async () => {
  t = await startTestAgent()
})

afterAll(async () => {
  await t?.agent.close()
})

describe('T3: the status event stream, from a web page', () => {
  it('an EventSource opened by a web page in real Chromium fails, refused by the agent', async () => {
    const site = await serveAttackerSite({ '/': '<!doctype html><title>x</title>' })
    const browser = await launchChromium()
    try {
      const page = await (await browser.newContext()).newPage()
      await page.goto(`${site.origin}/`)
      const originRefusals = async () =>
        (await t.agent.services.audit.list({ limit: 1000 })).filter((r) => r.event === 'rejected' && r.method === '/events' && r.errorCode === 'origin-not-allowed').length
      const before = await originRefusals()
      const outcome = await page.evaluate(
        (url: string) =>
          new Promise<string>((resolve) => {
            const source = new EventSource(url)
            source.onmessage = () => resolve('message')
            source.addEventListener('session', () => resolve('session event'))
            source.onerror = () => {
              resolve(`error readyState=${source.readyState}`)
              source.close()
            }
          }),
        `${t.agent.url}/events`,
      )
      // CLOSED (2): the browser gives up, it does not even retry a refused stream.
      expect(outcome).toBe('error readyState=2')
      expect(await originRefusals()).toBe(before + 1)
    } finally {
      await browser.close()
      await site.close()
    }
  })
})
