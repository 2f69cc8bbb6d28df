/**
 * X.509 for ehealth-agent: a minimal DER reader for what node:crypto does not expose, Java's
 * renderings of distinguished names (RFC 1779 and `toString()`), certification path validation
 * against an injected set of CAs, and certificate descriptions for messages. Pure: the CAs and the
 * time are the caller's.
 *
 * @module
 */
export { DerError } from './der.js'
export { describeCertificate, formatCertificateDescription, type CertificateDescription } from './describe-certificate.js'
export { formatJavaDn, type JavaDnForm } from './format-java-dn.js'
export { KEY_USAGES, readCertificate, type CertificateDetails, type DistinguishedName, type KeyUsage, type NameAttribute } from './read-certificate.js'
export { PathValidationError, sameName, validateCertificatePath, type PathValidationOptions, type ValidatedPath } from './validate-certificate-path.js'
