/**
 * The character-level rules shared by both canonicalizers: escaping (Canonical XML 1.0 §2.3)
 * and the code-point order used to sort namespace declarations and attributes (§2.2).
 *
 * @module
 */

/** C14N §2.3 text node escaping. */
export function escapeText(s: string): string {
  if (!/[&<>\r]/.test(s)) return s
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\r/g, '&#xD;')
}

/** C14N §2.3 attribute value escaping. */
export function escapeAttr(s: string): string {
  if (!/[&<"\t\n\r]/.test(s)) return s
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/"/g, '&quot;')
    .replace(/\t/g, '&#x9;')
    .replace(/\n/g, '&#xA;')
    .replace(/\r/g, '&#xD;')
}

/**
 * Order by Unicode code point, as C14N requires (and libxml2 does by comparing UTF-8 bytes);
 * JavaScript's `<` compares UTF-16 units, which differs once a surrogate pair meets U+E000..U+FFFF.
 */
export function compareCodePoints(a: string, b: string): number {
  if (a === b) return 0
  const n = Math.min(a.length, b.length)
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i)
    const y = b.charCodeAt(i)
    if (x === y) continue
    const xs = x >= 0xd800 && x <= 0xdfff
    const ys = y >= 0xd800 && y <= 0xdfff
    if (xs !== ys) return xs ? 1 : -1 // a surrogate (U+10000 and up) sorts after any BMP unit
    return x - y
  }
  return a.length - b.length
}

