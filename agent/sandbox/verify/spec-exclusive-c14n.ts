import { ExclusiveCanonicalization } from 'xml-crypto'

const PROCESSING_INSTRUCTION = 7

/**
 * xml-crypto's Exclusive XML Canonicalization 1.0, with the three places where xml-crypto 6.3
 * departs from Canonical XML 1.0 put right, so that the sandbox does not refuse what a
 * conforming signer (libxmlsec1, Apache Santuario, the agent) signed:
 *
 * - namespace declarations: xml-crypto sorts them with `String#localeCompare`, which is
 *   locale-dependent and mostly case-insensitive; C14N 1.0 §2.2 sorts them by local name in UCS
 *   code-point order (so `xmlns:B` comes before `xmlns:a`);
 * - attributes: xml-crypto compares the concatenation namespace URI + local name; C14N 1.0 §2.2
 *   makes the namespace URI the primary key (an attribute in `urn:x` comes before one in
 *   `urn:x:y`, whatever their local names);
 * - processing instructions: xml-crypto renders one as escaped text (and throws on one without
 *   data); C14N 1.0 §2.3 renders `<?target data?>`.
 *
 * Everything else (which declarations are rendered, escaping, the walk, comments) is xml-crypto's.
 * Registered only on the sandbox's own SignedXml instances (see check-xml-signature.ts).
 */
export class SpecExclusiveCanonicalization extends ExclusiveCanonicalization {
  override nsCompare(a: { prefix: string }, b: { prefix: string }): number {
    return compareCodePoints(a.prefix, b.prefix)
  }

  override attrCompare(a: Attr, b: Attr): 1 | 0 | -1 {
    // C14N 1.0 §2.2: "an empty namespace URI is lexicographically least", which code-point order
    // of '' gives; xmldom leaves a no-namespace attribute's URI null or undefined.
    return compareCodePoints(a.namespaceURI ?? '', b.namespaceURI ?? '') || compareCodePoints(a.localName ?? a.name, b.localName ?? b.name)
  }

  override processInner(node: Node, prefixesInScope: unknown, defaultNs: unknown, defaultNsForPrefix: unknown, inclusive: string[]): string {
    if (node.nodeType === PROCESSING_INSTRUCTION) {
      const pi = node as ProcessingInstruction
      return `<?${pi.target}${pi.data ? ` ${pi.data}` : ''}?>`
    }
    return super.processInner(node, prefixesInScope, defaultNs, defaultNsForPrefix, inclusive)
  }
}

/** Order by UCS code point (C14N 1.0 §2.2), not by UTF-16 code unit as `<` on strings does. */
export function compareCodePoints(a: string, b: string): 1 | 0 | -1 {
  if (a === b) return 0
  const x = Array.from(a, (c) => c.codePointAt(0)!)
  const y = Array.from(b, (c) => c.codePointAt(0)!)
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    if (x[i] !== y[i]) return x[i]! < y[i]! ? -1 : 1
  }
  return x.length < y.length ? -1 : 1
}
