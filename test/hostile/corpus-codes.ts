/**
 * The hostile-XML corpus (test/hostile/xml/) and the typed error each file must get when it is
 * offered for signing (threat T17). Used by the corpus test and by the fuzz run.
 */
export const HOSTILE_CORPUS_CODES: Readonly<Record<string, string>> = {
  'xxe-external-file.xml': 'ERR_XML_DTD_FORBIDDEN',
  'xxe-parameter-entity.xml': 'ERR_XML_DTD_FORBIDDEN',
  'external-dtd.xml': 'ERR_XML_DTD_FORBIDDEN',
  'billion-laughs.xml': 'ERR_XML_DTD_FORBIDDEN',
  'undeclared-entity.xml': 'ERR_XML_MALFORMED',
  'second-body.xml': 'ERR_SOAP_INVALID',
  'body-in-header.xml': 'ERR_SOAP_INVALID',
  'existing-security.xml': 'ERR_SOAP_ALREADY_SIGNED',
  'duplicate-body-id.xml': 'ERR_XML_DUPLICATE_ID',
  'unclosed.xml': 'ERR_XML_MALFORMED',
  'not-soap.xml': 'ERR_SOAP_INVALID',
  'garbage.xml': 'ERR_XML_MALFORMED',
}
