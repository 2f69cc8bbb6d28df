import { cpSync, copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { CA_BUNDLE_INDEX } from './ca-bundle-index.js'
import { findCaBundleDir, loadCaBundle } from './load-ca-bundle.js'

const DIR = findCaBundleDir()
const scratch = mkdtempSync(join(tmpdir(), 'ca-bundle-'))
afterAll(() => rmSync(scratch, { recursive: true, force: true }))

describe('the shipped CA bundles', () => {
  it('each environment folder holds exactly the files of the index, and each holds the listed certificate', async () => {
    for (const env of ['prod', 'acc', 'int'] as const) {
      expect(readdirSync(join(DIR, env)).sort()).toEqual(CA_BUNDLE_INDEX[env].map((e) => e.file).sort())
      const loaded = await loadCaBundle(env)
      expect(loaded.map((l) => l.certificate.fingerprint256)).toEqual(CA_BUNDLE_INDEX[env].map((e) => e.sha256))
      for (const { certificate } of loaded) expect(certificate.ca).toBe(true)
    }
  })

  it('the provenance file names the source of every certificate, by fingerprint', () => {
    const provenance = readFileSync(join(DIR, 'PROVENANCE.md'), 'utf8')
    for (const entry of Object.values(CA_BUNDLE_INDEX).flat()) expect(provenance).toContain(entry.sha256)
    // Never the pathlen:0 copy of root CA 001, with which the real chains fail.
    expect(Object.values(CA_BUNDLE_INDEX).flat().map((e) => e.sha256)).not.toContain('5F:3A:60:BB:E2:FA:37:58:C8:39:B9:DF:62:7F:E6:C2:FC:F9:F7:51:26:1E:C8:79:57:3B:8B:43:64:AE:FF:F6')
  })

  it('a file that does not hold the listed certificate stops the load, naming it', async () => {
    const copy = join(scratch, 'bundles')
    cpSync(DIR, copy, { recursive: true })
    copyFileSync(join(copy, 'prod', 'zetes-root-ca-002.pem'), join(copy, 'prod', 'zetes-root-ca-001.pem'))
    await expect(loadCaBundle('prod', copy)).rejects.toMatchObject({ code: 'ERR_CONFIG_INVALID', message: expect.stringContaining('zetes-root-ca-001.pem is not the one this version ships') })
    writeFileSync(join(copy, 'acc', 'zetes-root-ca-001.pem'), 'not a certificate')
    await expect(loadCaBundle('acc', copy)).rejects.toMatchObject({ code: 'ERR_CONFIG_INVALID', message: expect.stringContaining('cannot be read') })
  })

  it('is found beside the compiled code (npm run build copies it there), from the bundle, or else in the sources', () => {
    // A compiled tree with the copy: dist/agent/trust/ca-bundles.
    const compiled = join(scratch, 'tree', 'dist', 'agent', 'trust')
    cpSync(DIR, join(compiled, 'ca-bundles'), { recursive: true })
    expect(findCaBundleDir(pathToFileURL(join(compiled, 'load-ca-bundle.js')))).toBe(join(compiled, 'ca-bundles') + '/')
    // The bundle (dist/bundle/, what bin/ehagent.js runs) in an installed package without sources: the same copy.
    expect(findCaBundleDir(pathToFileURL(join(scratch, 'tree', 'dist', 'bundle', 'chunk-ABCD1234.js')))).toBe(join(compiled, 'ca-bundles') + '/')
    // One without it, inside the repository: the sources' folder.
    const root = join(DIR, '..', '..', '..')
    expect(findCaBundleDir(pathToFileURL(join(root, 'no-such-dist', 'agent', 'trust', 'load-ca-bundle.js')))).toBe(DIR)
  })
})
