/**
 * True when a Content-Type header says `application/json`, with or without parameters
 * (`; charset=utf-8`). Threat T1: a web page can send a cross-site "simple" request (form post,
 * `text/plain`, `no-cors` fetch) without a CORS preflight, but never with this type; requiring it
 * makes the browser preflight, and the preflight is refused for web origins. Only the exact
 * media type is accepted: not `application/json-seq`, not `+json` suffixes, not two values.
 */
export function isJsonContentType(value: string | undefined): boolean {
  if (value === undefined) return false
  return /^application\/json[ \t]*(;[^,]*)?$/i.test(value.trim())
}
