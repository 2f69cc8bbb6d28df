import { AgentError } from '../errors.js'
import { ExcC14nStream } from '../xml/c14n-stream.js'
import { childElements } from '../xml/dom.js'
import { duplicateId, isIdAttribute } from '../xml/ids.js'
import { parseXml, type ParsedXml } from '../xml/parse-xml.js'
import { DEFAULT_XML_LIMITS, scanXmlEvents, spanOfStartTag, type ElementSpan, type ScanHandler, type StartTag, type XmlLimits } from '../xml/scan-xml.js'
import { SOAP11_NS, SOAP12_NS, WSSE_NAMESPACES, WSU_NS } from './namespaces.js'

/**
 * The Body in exclusive-canonical form (exc-c14n, no PrefixList), computed while the envelope was
 * read, as it will be signed: with the wsu:Id a WS-Security header references. When the Body has
 * no wsu:Id of its own, one is added as `idPrefix:Id` (declared on the Body when
 * `declareIdPrefix`); its value is given to {@link BodyCanonicalForm.parts}.
 */
export interface BodyCanonicalForm {
  /** Prefix of the wsu:Id to add ('' when the Body has its own wsu:Id). */
  idPrefix: string
  /** Whether the Body start tag must declare `idPrefix` (it is not bound to the wsu namespace there). */
  declareIdPrefix: boolean
  /** The canonical Body as strings to concatenate or hash in order; `addedId` is the added wsu:Id. */
  parts(addedId?: string): string[]
}

/**
 * A SOAP envelope taken apart on one pass over its text: where Envelope, Header and Body are,
 * what the Body asks for, its ids, and its canonical form. The DOM fields (`parsed`, `envelope`,
 * `header`, `body`, `bodyRoot`) are built on first access, for readers of responses; signing
 * never touches them.
 */
export interface SplitEnvelope {
  /** The caller's text, unchanged. */
  text: string
  version: '1.1' | '1.2'
  /** The envelope namespace of this version. */
  soapNs: string
  /** Where Envelope, Header and Body sit in the caller's original text. */
  spans: { envelope: ElementSpan; header: ElementSpan | undefined; body: ElementSpan }
  /** The first element inside Body: the operation (or a Fault), by name. */
  operation: { namespace: string; localName: string } | undefined
  /** The Body's own wsu:Id, '' when it has none. */
  bodyId: string
  /** Every id value in the document (xml:id, wsu:Id, Id, ID, AssertionID, ...), each on one element. */
  ids: ReadonlySet<string>
  bodyCanonical: BodyCanonicalForm
  /** The document as a DOM, parsed on first access. */
  readonly parsed: ParsedXml
  readonly envelope: Element
  readonly header: Element | undefined
  readonly body: Element
  /** The first element inside Body, from the DOM. */
  readonly bodyRoot: Element | undefined
}

/** Options of {@link splitEnvelope}. */
export interface SplitOptions {
  limits?: XmlLimits
  /** Reading a response or a signed request (sandbox, verifier): a Security header is expected. */
  allowSecurityHeader?: boolean
}

/**
 * Read a SOAP 1.1 or 1.2 envelope once and refuse anything ambiguous, before any signing: not
 * well-formed XML, a DTD, not an Envelope, zero or several Bodies or Headers, a Header after the
 * Body, any other child of Envelope, a SOAP Body element hidden anywhere else (threat T9: what is
 * signed must be what a reader of the message takes for the Body), an existing wsse:Security
 * header, two elements with the same id. The Body is canonicalized on the same pass.
 *
 * A document that is not well-formed is refused as such even when it is also not SOAP: the
 * scan finishes before the SOAP rules are reported.
 *
 * @example
 * ```ts
 * const env = splitEnvelope(text)
 * env.operation?.localName // 'GetInsurabilityRequest'
 * ```
 */
export function splitEnvelope(text: string, options: SplitOptions = {}): SplitEnvelope {
  const limits = options.limits ?? DEFAULT_XML_LIMITS
  const reader = new EnvelopeReader(text)
  scanXmlEvents(text, reader, limits)
  if (reader.problem) throw reader.problem
  const body = reader.bodySpan
  const c14n = reader.c14n
  if (!body || !c14n) throw invalid('the envelope has no Body')
  if (reader.securityHeader && !options.allowSecurityHeader) throw new AgentError('ERR_SOAP_ALREADY_SIGNED')
  if (reader.duplicate !== undefined) throw duplicateId(reader.duplicate)

  return new ReadEnvelope(text, limits, reader, body, c14n)
}

/** What splitEnvelope returns: the facts of the scan, and the DOM on first access. */
class ReadEnvelope implements SplitEnvelope {
  readonly text: string
  readonly version: '1.1' | '1.2'
  readonly soapNs: string
  readonly spans: SplitEnvelope['spans']
  readonly operation: SplitEnvelope['operation']
  readonly bodyId: string
  readonly ids: ReadonlySet<string>
  readonly bodyCanonical: BodyCanonicalForm
  private readonly limits: XmlLimits
  private dom: ParsedXml | undefined

  constructor(text: string, limits: XmlLimits, reader: EnvelopeReader, body: ElementSpan, c14n: ExcC14nStream) {
    this.text = text
    this.limits = limits
    this.soapNs = reader.soapNs
    this.version = reader.soapNs === SOAP11_NS ? '1.1' : '1.2'
    this.spans = { envelope: reader.envelopeSpan!, header: reader.headerSpan, body }
    this.operation = reader.operation
    this.bodyId = reader.bodyId
    this.ids = reader.ids
    this.bodyCanonical = { idPrefix: reader.idPrefix, declareIdPrefix: reader.declareIdPrefix, parts: c14n.parts.bind(c14n) }
  }

  get parsed(): ParsedXml {
    return (this.dom ??= parseXml(this.text, this.limits, 2))
  }

  get envelope(): Element {
    return this.parsed.root
  }

  get header(): Element | undefined {
    return childElements(this.parsed.root, this.soapNs, 'Header')[0]
  }

  get body(): Element {
    return childElements(this.parsed.root, this.soapNs, 'Body')[0]!
  }

  get bodyRoot(): Element | undefined {
    return childElements(this.body)[0]
  }
}

/** Follows the scan: the SOAP structure, ids, and the Body's canonical form. */
class EnvelopeReader implements ScanHandler {
  soapNs = ''
  envelopeSpan: ElementSpan | undefined
  headerSpan: ElementSpan | undefined
  bodySpan: ElementSpan | undefined
  operation: { namespace: string; localName: string } | undefined
  bodyId = ''
  idPrefix = ''
  declareIdPrefix = false
  c14n: ExcC14nStream | undefined
  /** The first SOAP rule broken, reported once the scan has shown the XML is well-formed. */
  problem: AgentError | undefined
  securityHeader = false
  duplicate: string | undefined
  readonly ids = new Set<string>()
  /** Depth of the element last started and not yet ended. */
  private depth = 0
  /** 'header' or 'body' while inside that child of the Envelope. */
  private section: '' | 'header' | 'body' = ''
  /** True while inside the Body that is signed (the first one). */
  private inC14n = false
  /** The span of the open child of the Envelope, when it is the Header or Body that counts. */
  private open: ElementSpan | undefined

  private readonly source: string

  constructor(text: string) {
    this.source = text
  }

  startElement(tag: StartTag): void {
    this.depth = tag.depth
    if (tag.attributes.length > 0) this.collectIds(tag)
    if (tag.depth >= 3) {
      if (this.inC14n) this.c14n!.startElement(tag)
      this.checkDeep(tag)
      return
    }
    if (tag.depth === 1) {
      this.envelopeSpan = spanOfStartTag(tag)
      const ns = tag.namespaceURI
      if (tag.localName !== 'Envelope' || (ns !== SOAP11_NS && ns !== SOAP12_NS)) {
        this.fail(`the root element is {${ns}}${tag.localName}, not a SOAP 1.1 or 1.2 Envelope`)
      } else {
        this.soapNs = ns
      }
      return
    }
    const isSoap = this.soapNs !== '' && tag.namespaceURI === this.soapNs
    if (isSoap && tag.localName === 'Header') {
      if (this.headerSpan) this.fail('the envelope has more than one Header')
      else if (this.bodySpan) this.fail('the Header comes after the Body')
      else this.headerSpan = this.open = spanOfStartTag(tag)
      this.section = 'header'
    } else if (isSoap && tag.localName === 'Body') {
      this.section = 'body'
      if (this.bodySpan) return this.fail('the envelope has more than one Body')
      this.bodySpan = this.open = spanOfStartTag(tag)
      this.startBody(tag)
    } else {
      this.section = ''
      this.fail(`unexpected element {${tag.namespaceURI}}${tag.localName} directly inside the Envelope`)
    }
  }

  endElement(qname: string, start: number, end: number, plain: boolean): void {
    const depth = this.depth--
    if (depth >= 3) {
      if (this.inC14n) this.c14n!.endElement(qname, start, end, plain)
      return
    }
    const span = depth === 1 ? this.envelopeSpan : this.open
    if (span) {
      span.endTagStart = start
      span.end = end
    }
    if (this.inC14n && depth === 2) {
      this.c14n!.end(start)
      this.inC14n = false
    }
    this.open = undefined
    this.section = ''
  }

  text(start: number, end: number, canonical: boolean): void {
    if (this.inC14n) this.c14n!.text(start, end, canonical)
  }

  cdata(start: number, end: number): void {
    if (this.inC14n) this.c14n!.cdata(start, end)
  }

  comment(start: number, end: number): void {
    if (this.inC14n) this.c14n!.comment(start, end)
  }

  processingInstruction(start: number, end: number, target: string, dataStart: number): void {
    if (this.inC14n) this.c14n!.processingInstruction(start, end, target, dataStart)
  }

  /** The Body: its wsu:Id, or the prefix for one to add, and the start of its canonical form. */
  private startBody(tag: StartTag): void {
    for (const a of tag.attributes) if (a.namespaceURI === WSU_NS && a.localName === 'Id') this.bodyId = a.value
    if (!this.bodyId) {
      // `wsu`, unless the caller's document binds it to something else in the Body's scope.
      for (let i = 0; ; i++) {
        const candidate = i === 0 ? 'wsu' : `wsu${i}`
        const bound = tag.lookupNamespace(candidate)
        if (bound === undefined || bound === WSU_NS) {
          this.idPrefix = candidate
          this.declareIdPrefix = bound === undefined
          break
        }
      }
    }
    this.c14n = new ExcC14nStream(this.source, tag, {
      addedAttribute: this.bodyId ? undefined : { prefix: this.idPrefix, localName: 'Id', namespaceURI: WSU_NS },
    })
    this.inC14n = true
  }

  /** Below the Envelope's children: a hidden or nested Body, a Security header, the operation. */
  private checkDeep(tag: StartTag): void {
    const ns = tag.namespaceURI
    if (ns === this.soapNs && tag.localName === 'Body') {
      this.fail(this.section === 'header' ? 'a SOAP Body element is hidden inside the Header' : 'a second SOAP Body element is nested in the message')
    }
    if (this.section === 'header' && tag.localName === 'Security' && (WSSE_NAMESPACES as readonly string[]).includes(ns)) {
      this.securityHeader = true
    }
    if (tag.depth === 3 && this.inC14n && !this.operation) this.operation = { namespace: ns, localName: tag.localName }
  }

  /** Ids share one space whatever attribute carries them (see isIdAttribute); one element may repeat its own. */
  private collectIds(tag: StartTag): void {
    let own: string[] | undefined
    for (const a of tag.attributes) {
      if (!isIdAttribute(a.namespaceURI, a.localName)) continue
      if (this.ids.has(a.value) && !own?.includes(a.value)) this.duplicate ??= a.value
      this.ids.add(a.value)
      ;(own ??= []).push(a.value)
    }
  }

  private fail(detail: string): void {
    this.problem ??= invalid(detail)
  }
}


function invalid(detail: string): AgentError {
  return new AgentError('ERR_SOAP_INVALID', `not a usable SOAP envelope: ${detail}`, { detail })
}
