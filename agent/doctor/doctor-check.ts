/** How a doctor check came out: `fail` makes `ehagent doctor` exit non-zero. */
export const CHECK_STATUSES = ['ok', 'warn', 'fail'] as const
export type CheckStatus = (typeof CHECK_STATUSES)[number]

/** One finding of `ehagent doctor`. `fix` says what to do; empty only when the status is ok. */
export interface DoctorCheck {
  id: string
  status: CheckStatus
  detail: string
  fix: string
}

export function makeCheck(id: string, status: CheckStatus, detail: string, fix = ''): DoctorCheck {
  return { id, status, detail, fix }
}
