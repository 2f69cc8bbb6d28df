import { SOAP11_NS, SOAP12_NS } from '../../protocol/soap/namespaces.js'

/** A realistic eHealth-style request envelope whose Body is about `bodyBytes` long. */
export function makeEnvelope(bodyBytes: number, options: { version?: '1.1' | '1.2'; header?: string; canary?: string } = {}): string {
  const ns = options.version === '1.2' ? SOAP12_NS : SOAP11_NS
  const canary = options.canary ?? ''
  const item = `<urn:Item><urn:Code>R/1234</urn:Code><urn:Label>Consultation &amp; follow-up ${canary}</urn:Label></urn:Item>\n`
  const count = Math.max(1, Math.ceil(bodyBytes / item.length))
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<soapenv:Envelope xmlns:soapenv="${ns}" xmlns:urn="urn:be:fgov:ehealth:test:v1">\n` +
    (options.header ?? '') +
    `  <soapenv:Body>\n    <urn:ConsultRequest xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n` +
    item.repeat(count) +
    `    </urn:ConsultRequest>\n  </soapenv:Body>\n</soapenv:Envelope>\n`
  )
}
