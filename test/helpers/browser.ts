import { existsSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { chromium, type Browser } from 'playwright-core'

/** Debian's Chromium; the security suite never downloads a browser (no `playwright install`). */
export const CHROMIUM = '/usr/bin/chromium'

/** Real headless Chromium, fresh profile; fails with the install command when it is missing. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is not installed; install it with: apt-get install -y chromium`)
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  })
}

/** A web site of another origin: a tiny node:http server on 127.0.0.1 serving pages by path. */
export interface AttackerSite {
  /** e.g. `http://127.0.0.1:40123` — another port is another origin. */
  origin: string
  /** Paths the browser asked for, in order (to know a form's navigation reached nowhere else). */
  requests: string[]
  close(): Promise<void>
}

export function serveAttackerSite(pages: Record<string, string>): Promise<AttackerSite> {
  const requests: string[] = []
  const server: Server = createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`)
    const page = pages[(req.url ?? '/').split('?')[0]!]
    if (page === undefined) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found')
      return
    }
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(page)
  })
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo
      resolve({
        origin: `http://127.0.0.1:${port}`,
        requests,
        close: () =>
          new Promise<void>((done) => {
            server.closeAllConnections()
            server.close(() => done())
          }),
      })
    })
  })
}
