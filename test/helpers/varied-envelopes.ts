import { SOAP11_NS, SOAP12_NS, WSU_NS } from '../../protocol/soap/namespaces.js'

/**
 * Generated SOAP envelopes whose Bodies exercise what exclusive c14n must get right (Exclusive
 * XML Canonicalization 1.0 §3, Canonical XML 1.0 §2): namespaces declared, redeclared, unused,
 * inherited from the Envelope; default namespaces and `xmlns=""`; attributes in several
 * namespaces (with URIs that are prefixes of one another and prefixes that differ only in case);
 * `xml:` attributes; comments, CDATA, processing instructions; character references; non-ASCII;
 * CR LF line ends; deep nesting. Deterministic for a seed, so a failure can be replayed.
 *
 * Left out on purpose: namespace names containing `&`, `<` or `"`, where Canonical XML 1.0 §2.3
 * escapes them like attribute values (the agent and Apache Santuario do), but libxml2 and
 * xml-crypto write them raw, so the checkers cannot agree; and non-ASCII namespace names, which
 * are IRIs, not the URI references Namespaces in XML 1.0 §2 asks for (libxml2 refuses them).
 */
export interface VariedEnvelope {
  text: string
  /** Which constructs the Body holds, to show the variety is really there. */
  features: Set<Feature>
}

export type Feature =
  | 'redeclared-prefix'
  | 'unused-namespace'
  | 'default-namespace'
  | 'undeclared-default'
  | 'envelope-namespace-used'
  | 'namespaced-attributes'
  | 'xml-attribute'
  | 'comment'
  | 'cdata'
  | 'processing-instruction'
  | 'character-reference'
  | 'non-ascii'
  | 'crlf'
  | 'deep-nesting'
  | 'soap12'
  | 'caller-body-id'

const PREFIXES = ['a', 'B', 'm', 'ns1', 'p', 'q', 'Z', '_u', 'x-y', 'é', 'wsu'] as const
const URIS = [
  'urn:x',
  'urn:x:y',
  'urn:a',
  'http://example.org/ns',
  'http://example.org/ns/2',
  'urn:be:fgov:ehealth:test:v1',
  'urn:e:%C3%A9',
  'http://www.w3.org/2001/XMLSchema-instance',
  WSU_NS,
] as const
const LOCAL_NAMES = ['item', 'Code', 'x', 'Ünïcode', '_a', 'b-c', 'a.b', '日本', 'Request', 'value'] as const
const ATTRIBUTE_NAMES = ['a', 'B', 'z', 'code', 'é', 'lang2', 'type', 'Value'] as const
const ATTRIBUTE_VALUES = [
  'plain',
  'a &amp; b',
  '&lt;tag&gt;',
  '&quot;quoted&quot;',
  "it's",
  'tab&#9;nl&#10;cr&#13;',
  'literal\ttab and\nnewline',
  'é日本𝄞',
  '',
  '  spaced  ',
  '&#x20AC;&#65;',
] as const
const TEXTS = [
  'text',
  'a &amp; b &lt; c &gt; d',
  ']]&gt;',
  'é日本𝄞 Ωμέγα',
  '&#x41;&#65;&#13;&#xD;&#9;&#160;',
  '\r\nline one\r\nline two\r\n',
  '  ',
  '"double" \'single\'',
  '&#x1D11E;',
] as const

/** A small seeded PRNG (mulberry32): the same seed gives the same envelopes everywhere. */
function prng(seed: number): () => number {
  let s = seed >>> 0
  return () => {
    s = (s + 0x6d2b79f5) >>> 0
    let t = s
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

type Scope = Map<string, string> // prefix ('' = default) -> URI ('' = none)

/** `count` envelopes from `seed`. */
export function generateEnvelopes(count: number, seed = 20250110): VariedEnvelope[] {
  const out: VariedEnvelope[] = []
  for (let i = 0; i < count; i++) out.push(generateEnvelope(prng(seed + i * 7919), i))
  return out
}

function generateEnvelope(random: () => number, index: number): VariedEnvelope {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!
  const chance = (p: number) => random() < p
  const features = new Set<Feature>()

  const soap12 = chance(0.25)
  if (soap12) features.add('soap12')
  const soapNs = soap12 ? SOAP12_NS : SOAP11_NS
  const envPrefix = pick(['soapenv', 's', 'SOAP-ENV', 'env', ''] as const)
  const q = (local: string) => (envPrefix ? `${envPrefix}:${local}` : local)

  // Declarations on the Envelope, some of which the Body then uses (exc-c14n must render them
  // where they are used, and only there).
  const scope: Scope = new Map([['', '']])
  let envDecls = envPrefix ? ` xmlns:${envPrefix}="${soapNs}"` : ` xmlns="${soapNs}"`
  scope.set(envPrefix, soapNs)
  for (let n = Math.floor(random() * 3); n > 0; n--) {
    const prefix = pick(PREFIXES)
    if (scope.has(prefix)) continue
    const uri = pick(URIS)
    envDecls += ` xmlns:${prefix}="${uri}"`
    scope.set(prefix, uri)
  }

  const deep = index % 37 === 5
  const maxDepth = deep ? 60 : 2 + Math.floor(random() * 6)
  const state = { random, pick, chance, features, maxDepth }
  // Body content uses the Envelope's scope; with an unprefixed SOAP Envelope, the content must
  // not put elements in the SOAP namespace by accident, so it sits in an element declaring its
  // own default namespace.
  const bodyScope = new Map(scope)
  let bodyAttrs = ''
  if (!envPrefix) bodyScope.set('', 'urn:be:fgov:ehealth:test:v1')
  if (chance(0.1)) {
    bodyAttrs += ` xmlns:wsu="${WSU_NS}" wsu:Id="caller-body-${index}"`
    bodyScope.set('wsu', WSU_NS)
    features.add('caller-body-id')
  }
  let content = ''
  for (let n = 1 + Math.floor(random() * 3); n > 0; n--) content += element(state, bodyScope, 1, scope)
  if (!envPrefix) content = `<Payload xmlns="urn:be:fgov:ehealth:test:v1">${content}</Payload>`
  if (deep) features.add('deep-nesting')

  const header = chance(0.3) ? `<${q('Header')}><hb:Routing xmlns:hb="urn:header">to-${index}</hb:Routing></${q('Header')}>` : ''
  const decl = chance(0.5) ? '<?xml version="1.0" encoding="UTF-8"?>\n' : ''
  const text = `${decl}<${q('Envelope')}${envDecls}>${chance(0.5) ? '\n  ' : ''}${header}<${q('Body')}${bodyAttrs}>${content}</${q('Body')}>\n</${q('Envelope')}>\n`
  return { text, features }
}

interface State {
  random: () => number
  pick: <T>(list: readonly T[]) => T
  chance: (p: number) => boolean
  features: Set<Feature>
  maxDepth: number
}

function element(st: State, parentScope: Scope, depth: number, envelopeScope: Scope): string {
  const { pick, chance, features } = st
  const scope: Scope = new Map(parentScope)
  let decls = ''
  const declared = new Set<string>()
  for (let n = chance(0.4) ? 1 + Math.floor(st.random() * 3) : 0; n > 0; n--) {
    const prefix = pick(PREFIXES)
    if (declared.has(prefix)) continue
    const uri = pick(URIS)
    if (scope.has(prefix) && scope.get(prefix) !== uri) features.add('redeclared-prefix')
    decls += ` xmlns:${prefix}="${uri}"`
    scope.set(prefix, uri)
    declared.add(prefix)
  }
  if (chance(0.15)) {
    const uri = chance(0.3) ? '' : pick(URIS)
    decls += ` xmlns="${uri}"`
    scope.set('', uri)
    features.add(uri === '' ? 'undeclared-default' : 'default-namespace')
  }

  // The element's own name: unprefixed (default namespace, if any) or a prefix in scope.
  const prefixes = [...scope.keys()].filter((p) => p !== '' && scope.get(p) !== '')
  const prefix = prefixes.length > 0 && chance(0.6) ? pick(prefixes) : ''
  const local = pick(LOCAL_NAMES)
  const name = prefix ? `${prefix}:${local}` : local
  if (prefix && envelopeScope.get(prefix) === scope.get(prefix) && !declared.has(prefix)) features.add('envelope-namespace-used')
  if (!prefix && scope.get('') !== '') features.add('default-namespace')

  // Attributes: unique expanded names (Namespaces in XML 1.0 §6.3).
  let attrs = ''
  const expanded = new Set<string>()
  for (let n = Math.floor(st.random() * 5); n > 0; n--) {
    let attrPrefix = prefixes.length > 0 && chance(0.5) ? pick(prefixes) : ''
    if (chance(0.08)) attrPrefix = 'xml'
    const attrLocal = attrPrefix === 'xml' ? pick(['lang', 'space'] as const) : pick(ATTRIBUTE_NAMES)
    const uri = attrPrefix === 'xml' ? 'xml' : attrPrefix ? scope.get(attrPrefix)! : ''
    const key = `{${uri}}${attrLocal}`
    if (expanded.has(key)) continue
    expanded.add(key)
    const value = attrPrefix === 'xml' ? (attrLocal === 'space' ? pick(['preserve', 'default'] as const) : pick(['fr', 'nl-BE', ''] as const)) : pick(ATTRIBUTE_VALUES)
    attrs += ` ${attrPrefix ? `${attrPrefix}:` : ''}${attrLocal}="${value}"`
    if (attrPrefix === 'xml') features.add('xml-attribute')
    else if (attrPrefix) features.add('namespaced-attributes')
    noteText(value, features)
  }
  const used = new Set([prefix, ...[...attrs.matchAll(/ ([^\s=:]+):[^\s=]+="/g)].map((m) => m[1]!)])
  if ([...declared].some((p) => !used.has(p))) features.add('unused-namespace')

  if (depth >= st.maxDepth) return chance(0.5) ? `<${name}${decls}${attrs}/>` : `<${name}${decls}${attrs}></${name}>`
  let children = ''
  // A deep envelope is one long chain, with a little content at each level.
  const count = st.maxDepth > 20 ? 1 : Math.floor(st.random() * 4)
  for (let n = count; n > 0; n--) {
    const kind = st.random()
    if (kind < 0.45 || st.maxDepth > 20) children += element(st, scope, depth + 1, envelopeScope)
    else if (kind < 0.7) {
      const t = pick(TEXTS)
      children += t
      noteText(t, features)
    } else if (kind < 0.8) {
      children += '<!-- a comment & <not markup> -->'
      features.add('comment')
    } else if (kind < 0.9) {
      children += `<![CDATA[<raw> & "stuff" é\r\n]]>`
      features.add('cdata')
    } else {
      children += pick(['<?target some data?>', '<?empty?>', '<?php echo "x" ?>'] as const)
      features.add('processing-instruction')
    }
  }
  if (st.maxDepth > 20) children += pick(TEXTS)
  return `<${name}${decls}${attrs}>${children}</${name}>`
}

function noteText(text: string, features: Set<Feature>): void {
  if (/&#/.test(text)) features.add('character-reference')
  if (/[^\x00-\x7f]/.test(text)) features.add('non-ascii')
  if (text.includes('\r\n')) features.add('crlf')
}
