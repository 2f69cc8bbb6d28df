/** How a doctor check came out: `fail` makes `ehagent doctor` exit non-zero. */
export const CHECK_STATUSES = ['ok', 'warn', 'fail'] as const
export type CheckStatus = (typeof CHECK_STATUSES)[number]

/** One finding of `ehagent doctor`. `fix` says what to do; empty only when the status is ok. */
export interface DoctorCheck {
  id: string
  status: CheckStatus
  detail: string
  fix: string
  /** The parts a check looked at one by one (the CAs of a bundle), when it has several. */
  items?: DoctorItem[]
}

/** One part of a check: a CA certificate and its expiry, for instance. */
export interface DoctorItem {
  name: string
  status: CheckStatus
  detail: string
  notAfter?: string
  sha256?: string
}

export function makeCheck(id: string, status: CheckStatus, detail: string, fix = '', items?: DoctorItem[]): DoctorCheck {
  return { id, status, detail, fix, ...(items ? { items } : {}) }
}
