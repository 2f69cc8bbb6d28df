import { randomBytes } from 'node:crypto'
import { buildSoapFault } from '../../protocol/soap/build-fault.js'
import { SOAP11_NS, WSSE_NS } from '../../protocol/soap/namespaces.js'
import type { SandboxState } from './sandbox-state.js'

/** An HTTP answer from a sandbox SOAP endpoint. */
export interface SoapReply {
  status: number
  body: string
}

const FAULT_PREFIXES: Record<string, string> = {
  wst: 'http://docs.oasis-open.org/ws-sx/ws-trust/200512',
  wsse: WSSE_NS,
  soapenv: SOAP11_NS,
  samlp: 'urn:oasis:names:tc:SAML:1.0:protocol',
}

/** A SOAP 1.1 envelope around `bodyXml`, HTTP 200. */
export function soapResponse(bodyXml: string): SoapReply {
  return { status: 200, body: `<soapenv:Envelope xmlns:soapenv="${SOAP11_NS}"><soapenv:Body>${bodyXml}</soapenv:Body></soapenv:Envelope>` }
}

/**
 * An eHealth BusinessError fault (eHealth errors schema `ehealth-errors-schema-soa-1_1.xsd`; the
 * shape of the R2024.1 STS announcement), HTTP 500 as SOAP 1.1 §6.2 requires for faults, with the
 * sandbox's environment ("Simulation").
 */
export function businessFault(state: SandboxState, faultcode: string, code: string, messages: string[], faultstring?: string): SoapReply {
  const [prefix, localName] = faultcode.includes(':') ? faultcode.split(':', 2) as [string, string] : ['soapenv', faultcode]
  return {
    status: 500,
    body: buildSoapFault({
      code: { prefix, namespace: FAULT_PREFIXES[prefix] ?? SOAP11_NS, localName },
      reason: faultstring ?? messages[0] ?? 'The request was invalid or malformed',
      ehealth: {
        kind: 'BusinessError',
        id: '_' + randomBytes(16).toString('hex'),
        origin: 'Client',
        code,
        messages,
        environment: state.soaEnvironment,
      },
    }),
  }
}
