import { spawnSync } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import { generateDocument, serialize, shrinkSteps, type GenDoc } from '../../test/helpers/xml-generator.js'
import { requireTool } from '../../test/helpers/xmlsec.js'
import { canonicalize } from './c14n.js'
import { canonicalizeElement } from './c14n-stream.js'
import { parseXml } from './parse-xml.js'

// Property: the streaming exclusive c14n equals libxml2's (python3-lxml) on generated documents,
// and both accept exactly the same documents. One Python process answers every case of a batch.
const BASE_SEED = 0x5eed_c14e
const CASES = 400

interface Outcome {
  ok: boolean
  c14n?: string
  error?: string
}

const LXML = `
import sys, json
from lxml import etree
out = []
for line in sys.stdin:
    c = json.loads(line)
    try:
        parser = etree.XMLParser(resolve_entities=False, huge_tree=True, no_network=True)
        root = etree.fromstring(c['xml'].encode('utf-8'), parser)
        el = [e for e in root.iter() if isinstance(e.tag, str)][c['index']]
        s = etree.tostring(el, method='c14n', exclusive=True, with_comments=False, inclusive_ns_prefixes=c['incl'] or None)
        out.append({'ok': True, 'c14n': s.decode('utf-8')})
    except Exception as e:
        out.append({'ok': False, 'error': str(e)[:200]})
sys.stdout.write(json.dumps(out))
`

function lxmlBatch(docs: GenDoc[]): Outcome[] {
  requireTool('/usr/bin/python3', 'python3-lxml')
  const input = docs
    .map((d) => {
      const { xml, apexIndex } = serialize(d)
      return JSON.stringify({ xml, index: apexIndex, incl: d.inclusive })
    })
    .join('\n')
  const res = spawnSync('/usr/bin/python3', ['-c', LXML], { input, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 })
  if (res.status !== 0) throw new Error(`python3-lxml failed (apt-get install -y python3-lxml):\n${res.stderr}`)
  return JSON.parse(res.stdout) as Outcome[]
}

function streaming(doc: GenDoc): Outcome {
  const { xml, apexIndex } = serialize(doc)
  let i = -1
  try {
    return { ok: true, c14n: canonicalizeElement(xml, () => ++i === apexIndex, { inclusivePrefixes: doc.inclusive }) }
  } catch (err) {
    return { ok: false, error: (err as Error).message }
  }
}

function viaDom(doc: GenDoc): Outcome {
  const { xml, apexIndex } = serialize(doc)
  try {
    const { root } = parseXml(xml)
    const all: Element[] = []
    const walk = (el: Element): void => {
      all.push(el)
      for (let k = el.firstChild; k; k = k.nextSibling) if (k.nodeType === 1) walk(k as Element)
    }
    walk(root)
    return { ok: true, c14n: canonicalize(all[apexIndex]!, { inclusivePrefixes: doc.inclusive }) }
  } catch (err) {
    return { ok: false, error: (err as Error).message }
  }
}

const agrees = (ours: Outcome, theirs: Outcome): boolean => ours.ok === theirs.ok && (!ours.ok || ours.c14n === theirs.c14n)

/** Greedy shrinking: keep taking the first one-step-smaller document that still disagrees. */
function shrink(doc: GenDoc, ours: (d: GenDoc) => Outcome): GenDoc {
  let current = doc
  for (let round = 0; round < 200; round++) {
    const steps = shrinkSteps(current)
    if (steps.length === 0) break
    const theirs = lxmlBatch(steps)
    const next = steps.find((s, i) => !agrees(ours(s), theirs[i]!))
    if (!next) break
    current = next
  }
  return current
}

function report(name: string, ours: (d: GenDoc) => Outcome): void {
  const seeds = Array.from({ length: CASES }, (_, i) => BASE_SEED + i)
  const docs = seeds.map(generateDocument)
  const theirs = lxmlBatch(docs)
  const failures = docs.map((d, i) => ({ seed: seeds[i]!, doc: d, ours: ours(d), theirs: theirs[i]! })).filter((f) => !agrees(f.ours, f.theirs))
  const accepted = theirs.filter((t) => t.ok).length
  // The generator must produce mostly documents libxml2 accepts, or the property says little.
  expect(accepted, 'documents libxml2 accepted').toBeGreaterThan(CASES * 0.7)
  if (failures.length > 0) {
    const first = failures[0]!
    const small = shrink(first.doc, ours)
    const { xml, apexIndex } = serialize(small)
    const [theirsSmall] = lxmlBatch([small])
    throw new Error(
      `${name}: ${failures.length} of ${CASES} cases differ from libxml2; first at seed ${first.seed}.\n` +
        `Smallest case (apex = element #${apexIndex} in document order, PrefixList ${JSON.stringify(small.inclusive)}):\n${JSON.stringify(xml)}\n` +
        `ours:    ${JSON.stringify(ours(small))}\nlibxml2: ${JSON.stringify(theirsSmall)}`,
    )
  }
}

describe('exclusive c14n equals libxml2 (python3-lxml) on generated documents', () => {
  it(`the streaming canonicalizer, ${CASES} cases`, () => {
    report('streaming c14n', streaming)
  })

  it(`the DOM canonicalizer (used by the verifier), same cases`, () => {
    report('DOM c14n', viaDom)
  })
})
