import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { isAgentError } from '../../protocol/errors.js'
import { decodeXmlBytes } from '../../protocol/xml/decode-xml-bytes.js'
import { parseXml } from '../../protocol/xml/parse-xml.js'

// The W3C XML conformance suite's cases (SOURCE.md), read the way the agent reads XML given as
// bytes: decodeXmlBytes, then the scanner (parseXml scans, then builds the tree). Every
// not-well-formed case of XML 1.0 (Fifth Edition) must be refused with a typed error; a case
// with a DTD is refused for its DTD, which counts as a refusal (the agent never reads a DTD).
// Every well-formed case without a DTD must be accepted. The tables below list, with the
// reason, every case for which that does not hold; there is no other exception.

interface Case {
  id: string
  type: 'not-wf' | 'valid' | 'invalid'
  path: string
  sections: string
  description: string
  recommendation?: string
  edition?: string
  namespace?: string
}

interface Rule {
  rule: string
  reason: string
  applies(c: Case, bytes: Uint8Array): boolean
}

/** not-wf cases that are not not-wf under XML 1.0 (Fifth Edition): run, outcome not asserted. */
const NOT_XML10_FIFTH_EDITION: Rule[] = [
  {
    rule: 'XML 1.1',
    reason: 'not-wf under XML 1.1 or Namespaces 1.1; this reader is an XML 1.0 processor (and refuses a version="1.1" declaration)',
    applies: (c) => c.recommendation === 'XML1.1' || c.recommendation === 'NS1.1',
  },
  {
    rule: 'editions 1-4',
    reason: 'not-wf only under editions 1 to 4; the Fifth Edition made these names well-formed',
    applies: (c) => c.edition === '1 2 3 4',
  },
]

/** Well-formed cases without a DTD that the agent refuses by design. */
const REFUSED_BY_DESIGN: Rule[] = [
  {
    rule: 'UTF-16',
    reason: 'only UTF-8 is accepted: what the agent signs travels as UTF-8 (JSON strings, HTTP bodies)',
    applies: (_c, bytes) => (bytes[0] === 0xfe && bytes[1] === 0xff) || (bytes[0] === 0xff && bytes[1] === 0xfe),
  },
  {
    rule: 'NAMESPACE="no"',
    reason: 'well-formed XML 1.0 but not namespace-well-formed (names with several colons); the reader applies Namespaces in XML 1.0',
    applies: (c) => c.namespace === 'no',
  },
]

const CASES = JSON.parse(readFileSync(new URL('./cases.json', import.meta.url), 'utf8')) as Case[]

function bytesOf(c: Case): Uint8Array {
  return readFileSync(new URL(`./xmlconf/${c.path}`, import.meta.url))
}

/** undefined when accepted, else what was thrown. */
function refusal(bytes: Uint8Array): { error: unknown } | undefined {
  try {
    parseXml(decodeXmlBytes(bytes))
    return undefined
  } catch (error) {
    return { error }
  }
}

const typed = (r: { error: unknown } | undefined): boolean => r !== undefined && isAgentError(r.error) && /^ERR_XML_/.test(r.error.code)
const label = (c: Case, r?: { error: unknown }): string =>
  `${c.id} (${c.path}, §${c.sections}): ${c.description}${r ? ` -> ${String((r.error as Error)?.message ?? r.error)}` : ''}`

const ruleOf = (rules: Rule[], c: Case, bytes: Uint8Array): Rule | undefined => rules.find((r) => r.applies(c, bytes))

describe('W3C XML conformance suite: not-well-formed documents are refused', () => {
  const notWf = CASES.filter((c) => c.type === 'not-wf')
  const groups = new Map<string, Case[]>()
  for (const c of notWf) {
    if (NOT_XML10_FIFTH_EDITION.some((r) => r.applies(c, new Uint8Array()))) continue
    const group = c.path.split('/')[0]!
    groups.set(group, [...(groups.get(group) ?? []), c])
  }

  it('has every not-wf case of the suite, each either run as XML 1.0 or in the table above', () => {
    expect(notWf).toHaveLength(1498)
    const run = [...groups.values()].reduce((n, g) => n + g.length, 0)
    const excluded = notWf.filter((c) => NOT_XML10_FIFTH_EDITION.some((r) => r.applies(c, new Uint8Array())))
    expect(run + excluded.length).toBe(notWf.length)
    expect(run).toBe(1017)
  })

  for (const [group, cases] of groups) {
    it(`${group}: ${cases.length} cases refused with a typed error`, () => {
      const accepted: string[] = []
      for (const c of cases) {
        const r = refusal(bytesOf(c))
        if (!typed(r)) accepted.push(label(c, r))
      }
      expect(accepted, 'not-wf cases that were accepted (or refused without an ERR_XML_ code)').toEqual([])
    })
  }

  it('the XML 1.1 and editions 1-4 cases are read without a crash (accepted, or refused with a typed error)', () => {
    const crashed: string[] = []
    let n = 0
    for (const c of notWf) {
      const bytes = bytesOf(c)
      if (!ruleOf(NOT_XML10_FIFTH_EDITION, c, bytes)) continue
      n++
      const r = refusal(bytes)
      if (r && !typed(r)) crashed.push(label(c, r))
    }
    expect(n).toBe(481)
    expect(crashed).toEqual([])
  })
})

describe('W3C XML conformance suite: well-formed documents without a DTD are accepted', () => {
  const wf = CASES.filter((c) => c.type !== 'not-wf')

  it(`${wf.length} cases: accepted, unless refused by design (table above) with a typed error`, () => {
    expect(wf.length).toBe(72)
    const wrong: string[] = []
    let byDesign = 0
    for (const c of wf) {
      const bytes = bytesOf(c)
      const rule = ruleOf(REFUSED_BY_DESIGN, c, bytes)
      const r = refusal(bytes)
      if (rule) {
        byDesign++
        if (!typed(r)) wrong.push(`${label(c, r)} should be refused (${rule.rule}: ${rule.reason})`)
      } else if (r) {
        wrong.push(`${label(c, r)} should be accepted`)
      }
    }
    expect(wrong).toEqual([])
    expect(byDesign).toBe(4)
  })
})
