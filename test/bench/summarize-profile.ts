/**
 * The top self-time entries of a V8 CPU profile (the `.cpuprofile` JSON `node --cpu-prof`
 * writes: nodes with a callFrame and children, `samples` naming a node per tick, `timeDeltas` in
 * µs between ticks). Self time is summed per function (name, file, line), not per call path.
 */

interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }[]
  samples: number[]
  timeDeltas: number[]
}

export interface ProfileEntry {
  name: string
  where: string
  selfMs: number
  percent: number
}

export function summarizeProfile(profile: CpuProfile, top: number): { totalMs: number; idleMs: number; top: ProfileEntry[] } {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]))
  const selfUs = new Map<number, number>()
  // timeDeltas[i] is the time since the previous sample; it belongs to sample i.
  profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + Math.max(0, profile.timeDeltas[i] ?? 0)))
  const byFunction = new Map<string, { name: string; where: string; us: number }>()
  let totalUs = 0
  let idleUs = 0
  for (const [id, us] of selfUs) {
    const frame = byId.get(id)!.callFrame
    const name = frame.functionName || '(anonymous)'
    if (name === '(idle)') {
      idleUs += us
      continue
    }
    totalUs += us
    const where = frame.url ? `${shorten(frame.url)}:${frame.lineNumber + 1}` : ''
    const key = `${name} ${where}`
    const entry = byFunction.get(key) ?? { name, where, us: 0 }
    entry.us += us
    byFunction.set(key, entry)
  }
  const entries = [...byFunction.values()].sort((a, b) => b.us - a.us).slice(0, top)
  return {
    totalMs: totalUs / 1000,
    idleMs: idleUs / 1000,
    top: entries.map((e) => ({ name: e.name, where: e.where, selfMs: e.us / 1000, percent: (100 * e.us) / totalUs })),
  }
}

/** A file URL cut to what names it: from node_modules/ or the repository's top folders on. */
function shorten(url: string): string {
  const m = /(node_modules\/.*|(?:agent|protocol|clients|dist)\/.*)$/.exec(url)
  return m ? m[1]! : url.replace(/^file:\/\//, '')
}
