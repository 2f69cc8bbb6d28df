/**
 * libxmlsec1 signing in-process, through Debian's python3-xmlsec (on top of lxml/libxml2), for
 * comparison: the same envelopes and key as the agent, one Python process, one core. Each
 * signature is what the agent does, as libxmlsec1 does it: parse, add a Signature with one
 * reference to the Body by Id (exclusive c14n, rsa-sha256), sign, serialize — RSA included, as
 * it cannot be left out there.
 */
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** Times of one envelope, ms: median and best, wall clock and CPU time of the process. */
export interface LibxmlsecTiming {
  wallMedian: number
  wallBest: number
  cpuMedian: number
  cpuBest: number
}

export interface LibxmlsecResult {
  /** Signatures per second of the rate envelope, signing back to back for `rateSeconds`. */
  perSec: number
  /** Per entry of `timed`, in order. */
  timed: LibxmlsecTiming[]
}

const SCRIPT = `
import sys, json, time, xmlsec
from lxml import etree
a = json.loads(sys.argv[1])
key = xmlsec.Key.from_file(a['key'], xmlsec.constants.KeyDataFormatPem)
NS = 'http://schemas.xmlsoap.org/soap/envelope/'
def once(data):
    doc = etree.fromstring(data, etree.XMLParser(huge_tree=True))
    body = doc.find('{%s}Body' % NS)
    body.set('Id', 'id-1')
    sig = xmlsec.template.create(doc, xmlsec.constants.TransformExclC14N, xmlsec.constants.TransformRsaSha256)
    doc.insert(0, sig)
    ref = xmlsec.template.add_reference(sig, xmlsec.constants.TransformSha256, uri='#id-1')
    xmlsec.template.add_transform(ref, xmlsec.constants.TransformExclC14N)
    ctx = xmlsec.SignatureContext()
    ctx.register_id(body, 'Id')
    ctx.key = key
    ctx.sign(sig)
    return etree.tostring(doc)
out = {}
data = open(a['rate'], 'rb').read()
for _ in range(200): once(data)
n = 0
end = time.perf_counter() + a['rateSeconds']
while time.perf_counter() < end:
    once(data); n += 1
out['perSec'] = n / a['rateSeconds']
timed = []
for f, runs in zip(a['files'], a['runs']):
    data = open(f, 'rb').read()
    once(data)
    walls, cpus = [], []
    for _ in range(runs):
        w, c = time.perf_counter(), time.process_time()
        once(data)
        cpus.append((time.process_time() - c) * 1e3)
        walls.append((time.perf_counter() - w) * 1e3)
    walls.sort(); cpus.sort()
    timed.append({'wallMedian': walls[len(walls) // 2], 'wallBest': walls[0], 'cpuMedian': cpus[len(cpus) // 2], 'cpuBest': cpus[0]})
out['timed'] = timed
print(json.dumps(out))
`

/** True when Debian's python3 has xmlsec and lxml. */
export function hasLibxmlsec(): boolean {
  return spawnSync('/usr/bin/python3', ['-c', 'import xmlsec, lxml']).status === 0
}

/**
 * Sign `rate` back to back for `rateSeconds` (the rate), then each of `timed` `runs` times (after
 * one warm-up), with the PEM key `keyPem`.
 */
export function measureLibxmlsec(keyPem: string, rate: string, rateSeconds: number, timed: { envelope: string; runs: number }[]): LibxmlsecResult {
  const dir = mkdtempSync(join(tmpdir(), 'bench-libxmlsec-'))
  try {
    writeFileSync(join(dir, 'key.pem'), keyPem, { mode: 0o600 })
    writeFileSync(join(dir, 'rate.xml'), rate)
    const files = timed.map((t, i) => {
      const f = join(dir, `env-${i}.xml`)
      writeFileSync(f, t.envelope)
      return f
    })
    const args = JSON.stringify({ key: join(dir, 'key.pem'), rate: join(dir, 'rate.xml'), rateSeconds, files, runs: timed.map((t) => t.runs) })
    const res = spawnSync('/usr/bin/python3', ['-c', SCRIPT, args], { encoding: 'utf8', maxBuffer: 1024 * 1024 })
    if (res.status !== 0) throw new Error(`libxmlsec1 measurement failed:\n${res.stderr}`)
    return JSON.parse(res.stdout) as LibxmlsecResult
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
