import { spawnSync } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import { generateDocument, serialize, shrinkSteps, type GenDoc } from '../../test/helpers/xml-generator.js'
import { requireTool } from '../../test/helpers/xmlsec.js'
import { isAgentError } from '../errors.js'
import { SOAP11_NS, WSU_NS } from '../soap/namespaces.js'
import { spliceHeader } from '../soap/splice-header.js'
import { splitEnvelope } from '../soap/split-envelope.js'
import { canonicalize } from './c14n.js'
import { canonicalizeElement } from './c14n-stream.js'
import { escapeAttr } from './c14n-escape.js'
import { parseXml } from './parse-xml.js'

// Property: our exclusive c14n equals libxml2's (python3-lxml) on generated documents, and we
// accept exactly the documents libxml2 accepts. Three readers are checked: the streaming
// canonicalizer on any element, the same on a SOAP Body as it is signed (with the wsu:Id the
// signer adds spliced into the text that libxml2 reads), and the DOM canonicalizer the verifier
// uses. One Python process answers each batch. A failure prints its seed and the smallest
// document that still fails.
const BASE_SEED = 0x5eed_c14e
const CASES = 400

interface LxmlInput {
  xml: string
  /** The apex: the index-th element in document order, or the first match of `body`. */
  index?: number
  body?: boolean
  incl: string[]
  /** The reader refuses duplicate ids (splitEnvelope does; a canonicalizer alone does not). */
  refusesDuplicateIds?: boolean
}

interface LxmlOutcome {
  ok: boolean
  c14n?: string
  error?: string
  /** Two elements carry the same id (xml:id, or an Id/ID/AssertionID/RequestID/ResponseID). */
  duplicateIds?: boolean
}

interface Ours {
  ok: boolean
  c14n?: string
  error?: string
  code?: string
}

/** Our outcome for a document, and what libxml2 must be asked to compare with it. */
type Probe = (doc: GenDoc) => { ours: Ours; lxml: LxmlInput }

const LXML = `
import sys, json
from lxml import etree
IDS = {'Id', 'ID', 'AssertionID', 'RequestID', 'ResponseID'}
XML = '{http://www.w3.org/XML/1998/namespace}'
out = []
for line in sys.stdin:
    c = json.loads(line)
    try:
        parser = etree.XMLParser(resolve_entities=False, huge_tree=True, no_network=True)
        root = etree.fromstring(c['xml'].encode('utf-8'), parser)
        if c.get('body'):
            el = root.xpath('//s:Body', namespaces={'s': '${SOAP11_NS}'})[0]
        else:
            el = [e for e in root.iter() if isinstance(e.tag, str)][c['index']]
        seen, dup = set(), False
        for e in root.iter():
            if not isinstance(e.tag, str): continue
            mine = set()
            for k, v in e.attrib.items():
                local = k.split('}')[-1]
                if k == XML + 'id' or (not k.startswith(XML) and local in IDS):
                    if v in seen and v not in mine: dup = True
                    seen.add(v); mine.add(v)
        s = etree.tostring(el, method='c14n', exclusive=True, with_comments=False, inclusive_ns_prefixes=c['incl'] or None)
        out.append({'ok': True, 'c14n': s.decode('utf-8'), 'duplicateIds': dup})
    except Exception as e:
        out.append({'ok': False, 'error': str(e)[:200]})
sys.stdout.write(json.dumps(out))
`

function lxmlBatch(inputs: LxmlInput[]): LxmlOutcome[] {
  requireTool('/usr/bin/python3', 'python3-lxml')
  const input = inputs.map((i) => JSON.stringify(i)).join('\n')
  const res = spawnSync('/usr/bin/python3', ['-c', LXML], { input, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 })
  if (res.status !== 0) throw new Error(`python3-lxml failed (apt-get install -y python3-lxml):\n${res.stderr}`)
  return JSON.parse(res.stdout) as LxmlOutcome[]
}

function attempt(fn: () => string | undefined): Ours {
  try {
    return { ok: true, c14n: fn() }
  } catch (err) {
    return { ok: false, error: (err as Error).message, code: isAgentError(err) ? err.code : undefined }
  }
}

const streaming: Probe = (doc) => {
  const { xml, apexIndex } = serialize(doc)
  let i = -1
  return {
    ours: attempt(() => canonicalizeElement(xml, () => ++i === apexIndex, { inclusivePrefixes: doc.inclusive })),
    lxml: { xml, index: apexIndex, incl: doc.inclusive },
  }
}

const viaDom: Probe = (doc) => {
  const { xml, apexIndex } = serialize(doc)
  const ours = attempt(() => {
    const all: Element[] = []
    const walk = (el: Element): void => {
      all.push(el)
      for (let k = el.firstChild; k; k = k.nextSibling) if (k.nodeType === 1) walk(k as Element)
    }
    walk(parseXml(xml).root)
    return canonicalize(all[apexIndex]!, { inclusivePrefixes: doc.inclusive })
  })
  return { ours, lxml: { xml, index: apexIndex, incl: doc.inclusive } }
}

/** The document's root element as the content of a SOAP Body, signed the way prepareWsSecurity signs it. */
const soapBody: Probe = (doc) => {
  const content = serialize({ ...doc, prolog: '', epilog: '' }).xml
  const envelope = `<s:Envelope xmlns:s="${SOAP11_NS}"><s:Body>${content}</s:Body></s:Envelope>`
  let signedText = envelope
  const ours = attempt(() => {
    const env = splitEnvelope(envelope)
    const id = 'id-0001'
    const { idPrefix, declareIdPrefix } = env.bodyCanonical
    const bodyAttributes = (declareIdPrefix ? ` xmlns:${idPrefix}="${WSU_NS}"` : '') + ` ${idPrefix}:Id="${escapeAttr(id)}"`
    signedText = spliceHeader(env, { headerContent: '', bodyAttributes })
    return env.bodyCanonical.parts(id).join('')
  })
  return { ours, lxml: { xml: signedText, body: true, incl: [], refusesDuplicateIds: true } }
}

/**
 * Agreement: the same canonical form, or both refuse. A reader that refuses duplicate ids must
 * refuse exactly the documents where libxml2's parse shows two elements with one id.
 */
function agrees(ours: Ours, theirs: LxmlOutcome, input: LxmlInput): boolean {
  const ids = input.refusesDuplicateIds === true
  if (ours.ok) return theirs.ok && ours.c14n === theirs.c14n && !(ids && theirs.duplicateIds)
  if (ids && ours.code === 'ERR_XML_DUPLICATE_ID') return theirs.ok && theirs.duplicateIds === true
  return !theirs.ok
}

function disagreeing(docs: GenDoc[], probe: Probe): boolean[] {
  const probes = docs.map(probe)
  const theirs = lxmlBatch(probes.map((p) => p.lxml))
  return probes.map((p, i) => !agrees(p.ours, theirs[i]!, p.lxml))
}

/** Greedy shrinking: keep taking the first one-step-smaller document that still disagrees. */
function shrink(doc: GenDoc, probe: Probe): GenDoc {
  let current = doc
  for (let round = 0; round < 200; round++) {
    const steps = shrinkSteps(current)
    if (steps.length === 0) break
    const bad = disagreeing(steps, probe)
    const next = steps.find((_, i) => bad[i])
    if (!next) break
    current = next
  }
  return current
}

function check(name: string, probe: Probe): void {
  const seeds = Array.from({ length: CASES }, (_, i) => BASE_SEED + i)
  const docs = seeds.map(generateDocument)
  const probes = docs.map(probe)
  const theirs = lxmlBatch(probes.map((p) => p.lxml))
  // Most generated documents must be canonicalized by both, or the property says little.
  expect(probes.filter((p, i) => p.ours.ok && theirs[i]!.ok).length, 'documents both canonicalized').toBeGreaterThan(CASES * 0.6)
  const failures = docs.map((d, i) => ({ seed: seeds[i]!, doc: d, ok: agrees(probes[i]!.ours, theirs[i]!, probes[i]!.lxml) })).filter((f) => !f.ok)
  if (failures.length === 0) return
  const first = failures[0]!
  const small = shrink(first.doc, probe)
  const p = probe(small)
  const [theirsSmall] = lxmlBatch([p.lxml])
  throw new Error(
    `${name}: ${failures.length} of ${CASES} cases disagree with libxml2; the first at seed ${first.seed}.\n` +
      `Smallest case (${p.lxml.body ? 'apex: the SOAP Body' : `apex: element #${p.lxml.index} in document order`}, PrefixList ${JSON.stringify(p.lxml.incl)}):\n` +
      `${JSON.stringify(p.lxml.xml)}\nours:    ${JSON.stringify(p.ours)}\nlibxml2: ${JSON.stringify(theirsSmall)}`,
  )
}

describe('exclusive c14n equals libxml2 (python3-lxml) on generated documents', () => {
  it(`the streaming canonicalizer, ${CASES} cases`, () => {
    check('streaming c14n', streaming)
  })

  it(`the streaming canonicalizer on a SOAP Body as signed (added wsu:Id, id index), ${CASES} cases`, () => {
    check('SOAP Body c14n', soapBody)
  })

  it(`the DOM canonicalizer (used by the verifier), ${CASES} cases`, () => {
    check('DOM c14n', viaDom)
  })
})
