/** The bench's reference servers (reference-servers.ts says what each is), from the least work per request to the most. */
export const REFERENCE_KINDS = ['bare-http', 'bare-net', 'protocol-server'] as const
export type ReferenceKind = (typeof REFERENCE_KINDS)[number]
