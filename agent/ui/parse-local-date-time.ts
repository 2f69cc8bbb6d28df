/**
 * The instant a `datetime-local` field means (`2026-11-23T14:05`), read as wall-clock time in
 * `timeZone` (undefined: the system's). The privacy log's "since" filter is typed in local time;
 * the log stores UTC.
 */
export function parseLocalDateTime(text: string, timeZone?: string): Date | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(text)
  if (!m) return undefined
  const [year, month, day, hour, minute, second] = m.slice(1).map((v) => Number(v ?? 0)) as [number, number, number, number, number, number]
  if (timeZone === undefined) {
    const local = new Date(year, month - 1, day, hour, minute, second)
    return Number.isNaN(local.getTime()) ? undefined : local
  }
  const asUtc = Date.UTC(year, month - 1, day, hour, minute, second)
  if (Number.isNaN(asUtc)) return undefined
  // The zone's offset at (about) that instant; applied twice to land right across a DST change.
  const first = asUtc - offsetAt(asUtc, timeZone)
  return new Date(asUtc - offsetAt(first, timeZone))
}

function offsetAt(instant: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(new Date(instant))
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value)
  const wall = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'))
  return wall - Math.floor(instant / 1000) * 1000
}
