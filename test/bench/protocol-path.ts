/**
 * The pure protocol path of `soap.sign` (split + prepare + finish, no HTTP), timed next to
 * libxmlsec1 in-process (Debian's python3-xmlsec) signing the same envelopes with the same key.
 *
 *   node --import tsx test/bench/protocol-path.ts
 *
 * For 4 KB, 1 MB and 10 MB envelopes (SAML holder-of-key profile, rsa-sha256) it prints the
 * median and best CPU time of our path without the RSA operation, the median with it, libxmlsec1's
 * median and best (parse, sign one Body reference, serialize: RSA included, as it cannot be left
 * out there), and the ratio of the medians; then one raw RSA-2048 signature with the same key.
 * The best (fastest) run says what the code costs when this shared machine lets it run alone.
 * The last line is one JSON object with the figures. `--profile` skips libxmlsec1 and the RSA
 * runs, for `node --cpu-prof`.
 */
import { sign } from 'node:crypto'
import { pathToFileURL } from 'node:url'
import { prepareWsSecurity } from '../../protocol/wssec/prepare-ws-security.js'
import { makeEnvelope } from '../helpers/envelopes.js'
import { holderOfKeyFixture } from './holder-of-key-fixture.js'
import { hasLibxmlsec, measureLibxmlsec } from './libxmlsec.js'

const SIZES = [
  { name: '4 KB', bytes: 4 * 1024, runs: 4000, batch: 20 },
  { name: '1 MB', bytes: 1024 * 1024, runs: 30, batch: 1 },
  { name: '10 MB', bytes: 10 * 1024 * 1024, runs: 9, batch: 1 },
] as const

const profileOnly = process.argv.includes('--profile')

/**
 * CPU time of the pure protocol path per envelope (split + prepare + finish with a fixed
 * signature value: no RSA, no HTTP), SAML holder-of-key profile, rsa-sha256; also for `npm run
 * bench`. Median and best over `runs` calls measured in samples of `batch`.
 */
export function timeProtocolPath(cases: readonly { envelope: string; runs: number; batch: number }[]): Timing[] {
  const { ours } = protocolFixture()
  return cases.map((c) => time(() => ours(c.envelope, false), c.runs, c.batch))
}

/** The fixture's path with or without RSA. */
function protocolFixture() {
  const { hok, profile, newId } = holderOfKeyFixture()
  const now = new Date()
  const fixedSignature = sign('sha256', Buffer.from('x'), hok.privateKey)
  const ours = (envelope: string, rsa: boolean): string => {
    const p = prepareWsSecurity(envelope, { profile, now, newId })
    return p.finish(rsa ? sign(p.hash, p.signedInfo, hok.privateKey) : fixedSignature)
  }
  return { hok, ours }
}

function main(): void {
  const { hok, ours } = protocolFixture()
  const rows: { name: string; oursUs: Timing; oursRsaUs?: Timing; libxmlsecUs?: Timing }[] = []
  const envelopes = SIZES.map((s) => makeEnvelope(s.bytes))
  for (const [i, s] of SIZES.entries()) {
    const envelope = envelopes[i]!
    const oursUs = time(() => ours(envelope, false), s.runs, s.batch)
    const oursRsaUs = profileOnly ? undefined : time(() => ours(envelope, true), s.runs, s.batch)
    rows.push({ name: s.name, oursUs, oursRsaUs })
  }
  if (profileOnly) return
  const rsaUs = time(() => sign('sha256', Buffer.alloc(400, 7), hok.privateKey), 2000, 10)
  if (hasLibxmlsec()) {
    // CPU time, as ours is measured; the 4 KB figure from its rate, the large ones from their runs.
    const lib = measureLibxmlsec(hok.privateKeyPem, envelopes[0]!, 3, SIZES.slice(1).map((s, i) => ({ envelope: envelopes[i + 1]!, runs: s.runs })))
    rows[0]!.libxmlsecUs = { median: 1e6 / lib.perSec, best: 1e6 / lib.perSec }
    lib.timed.forEach((t, i) => (rows[i + 1]!.libxmlsecUs = { median: t.cpuMedian * 1000, best: t.cpuBest * 1000 }))
  } else log('python3-xmlsec is not installed: no libxmlsec1 figures (apt-get install -y python3-xmlsec)')

  log('protocol path: splitEnvelope + prepareWsSecurity + finish (SAML HOK, rsa-sha256); libxmlsec1 through python3-xmlsec; CPU time per envelope (libxmlsec1 4 KB: from its rate)')
  log('envelope   ours, no RSA: median / best   with RSA: median   libxmlsec1: median / best   ratio of medians')
  for (const r of rows) {
    const ratio = r.libxmlsecUs ? (r.oursUs.median / r.libxmlsecUs.median).toFixed(3) : '-'
    const lib = r.libxmlsecUs ? `${fmt(r.libxmlsecUs.median)} / ${fmt(r.libxmlsecUs.best)}` : '-'
    log(`${r.name.padEnd(8)} ${`${fmt(r.oursUs.median)} / ${fmt(r.oursUs.best)}`.padStart(28)} ${fmt(r.oursRsaUs!.median).padStart(18)} ${lib.padStart(27)}   ${ratio}`)
  }
  log(`one RSA-2048 signature with the same key: ${fmt(rsaUs.median)} (median), ${fmt(rsaUs.best)} (best)`)
  const [kb4, mb1, mb10] = rows as [Row, Row, Row]
  const report = {
    protocolKb4Us: round(kb4.oursUs.median, 1),
    protocolKb4BestUs: round(kb4.oursUs.best, 1),
    protocolKb4RsaUs: round(kb4.oursRsaUs!.median, 1),
    protocolMb1Ms: round(mb1.oursUs.median / 1000, 2),
    protocolMb10Ms: round(mb10.oursUs.median / 1000, 2),
    rawRsaUs: round(rsaUs.median, 1),
    ...(kb4.libxmlsecUs && mb1.libxmlsecUs && mb10.libxmlsecUs
      ? {
          libxmlsecKb4Us: round(kb4.libxmlsecUs.median, 1),
          libxmlsecMb1Ms: round(mb1.libxmlsecUs.median / 1000, 2),
          libxmlsecMb10Ms: round(mb10.libxmlsecUs.median / 1000, 2),
          vsLibxmlsecKb4: round(kb4.oursUs.median / kb4.libxmlsecUs.median, 3),
          vsLibxmlsecMb1: round(mb1.oursUs.median / mb1.libxmlsecUs.median, 3),
          vsLibxmlsecMb10: round(mb10.oursUs.median / mb10.libxmlsecUs.median, 3),
        }
      : {}),
  }
  process.stdout.write(JSON.stringify(report) + '\n')
}

export interface Timing {
  median: number
  best: number
}
type Row = { name: string; oursUs: Timing; oursRsaUs?: Timing; libxmlsecUs?: Timing }

/**
 * Median and best CPU time of one call of `fn` in microseconds (over samples of `batch` calls),
 * after a short warm-up. CPU time, not wall time: on a shared machine another process taking
 * the core would otherwise count against whichever side happened to be measured then.
 */
export function time(fn: () => unknown, runs: number, batch: number): Timing {
  for (let i = 0; i < Math.min(runs, 200); i++) fn()
  const times: number[] = []
  for (let i = 0; i < runs; i += batch) {
    const t = process.cpuUsage()
    for (let j = 0; j < batch; j++) fn()
    const d = process.cpuUsage(t)
    times.push((d.user + d.system) / batch)
  }
  times.sort((a, b) => a - b)
  return { median: times[Math.floor(times.length / 2)]!, best: times[0]! }
}

function fmt(us: number): string {
  return us >= 1000 ? `${(us / 1000).toFixed(2)} ms` : `${us.toFixed(1)} µs`
}

function round(x: number, digits = 0): number {
  const f = 10 ** digits
  return Math.round(x * f) / f
}

function log(line: string): void {
  process.stdout.write(line + '\n')
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) main()
