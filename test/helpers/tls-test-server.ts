import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:https'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** A test CA and a server certificate it issued, made by the openssl command (not by our code). */
export interface TestTlsFiles {
  caFile: string
  certFile: string
  keyFile: string
}

/**
 * `openssl` (Debian `openssl`) makes a CA standing in for a hospital's TLS-inspecting proxy and,
 * signed by it, a server certificate for `names` (DNS names, or IP addresses) — the RFC 5280
 * path Node then has to validate.
 */
export function makeTestTls(names: string[]): TestTlsFiles {
  if (!existsSync('/usr/bin/openssl')) throw new Error('openssl is not installed: sudo apt-get install -y openssl')
  const dir = mkdtempSync(join(tmpdir(), 'test-tls-'))
  const f = (name: string) => join(dir, name)
  const openssl = (args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' })
  openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', f('ca.key'), '-out', f('ca.pem'), '-days', '2', '-subj', '/CN=Test Hospital Inspecting Proxy CA',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'])
  openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', f('server.key'), '-out', f('server.csr'), '-subj', `/CN=${names[0]}`])
  const san = names.map((n) => (/^[\d.]+$|:/.test(n) ? `IP:${n}` : `DNS:${n}`)).join(',')
  writeFileSync(f('server.ext'), `basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\nsubjectAltName=${san}\n`)
  openssl(['x509', '-req', '-in', f('server.csr'), '-CA', f('ca.pem'), '-CAkey', f('ca.key'), '-CAcreateserial', '-out', f('server.pem'), '-days', '2', '-extfile', f('server.ext')])
  return { caFile: f('ca.pem'), certFile: f('server.pem'), keyFile: f('server.key') }
}

export interface TestHttpsServer {
  port: number
  /** Each request: method, path, SOAPAction, body length. */
  seen: { method: string; path: string; soapAction: string | undefined; bytes: number }[]
  close(): Promise<void>
}

/**
 * An HTTPS server on 127.0.0.1 standing in for an eHealth business service: it answers every POST
 * with a small SOAP envelope that says how many bytes it received.
 */
export async function startTestHttpsServer(files: TestTlsFiles): Promise<TestHttpsServer> {
  const seen: TestHttpsServer['seen'] = []
  const server: Server = createServer({ cert: readFileSync(files.certFile), key: readFileSync(files.keyFile) }, (req, res) => {
    let bytes = 0
    req.on('data', (c: Buffer) => (bytes += c.length))
    req.on('end', () => {
      seen.push({ method: req.method ?? '', path: req.url ?? '', soapAction: req.headers.soapaction as string | undefined, bytes })
      res
        .writeHead(200, { 'content-type': 'text/xml; charset=utf-8' })
        .end(`<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><Received xmlns="urn:test">${bytes}</Received></s:Body></s:Envelope>`)
    })
  })
  server.on('tlsClientError', () => undefined)
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  return {
    port: (server.address() as AddressInfo).port,
    seen,
    close: () => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))),
  }
}
