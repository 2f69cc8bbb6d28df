import type { DoctorCheck } from './doctor-check.js'

/** The doctor's findings for a human: one line per check, the fix under each that is not ok. */
export function formatDoctorReport(checks: readonly DoctorCheck[]): string {
  const width = Math.max(...checks.map((c) => c.id.length))
  const lines = checks.flatMap((c) => [
    `  ${c.status.padEnd(4)}  ${c.id.padEnd(width)}  ${c.detail}`,
    ...(c.items ?? []).map((i) => `        ${' '.repeat(width)}  ${i.status === 'ok' ? '-' : `${i.status}:`} ${i.name}: ${i.detail}`),
    ...(c.fix ? [`        ${' '.repeat(width)}  fix: ${c.fix}`] : []),
  ])
  const count = (s: DoctorCheck['status']) => checks.filter((c) => c.status === s).length
  return ['ehealth-agent doctor', ...lines, `${count('ok')} ok, ${count('warn')} warning(s), ${count('fail')} failed`].join('\n')
}
