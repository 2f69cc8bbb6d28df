import type { SandboxStats } from '../../protocol/sandbox-control.js'

/**
 * How many requests each endpoint of the sandbox received, whatever their method or outcome
 * (a request answered with an injected fault counts too): what `ehagent sandbox stats` reports,
 * so a test can count the STS calls an agent made. The control endpoint and the manifest are not
 * counted: they are the harness talking, not an agent.
 */
export class RequestCounter {
  private readonly since: Date
  private readonly counts = new Map<string, number>()

  constructor(since: Date) {
    this.since = since
  }

  /** Count one request to `path`. */
  count(path: string): void {
    this.counts.set(path, (this.counts.get(path) ?? 0) + 1)
  }

  /** The counts so far, paths sorted. */
  snapshot(): SandboxStats {
    const requests: Record<string, number> = {}
    let total = 0
    for (const path of [...this.counts.keys()].sort()) {
      const n = this.counts.get(path)!
      requests[path] = n
      total += n
    }
    return { since: this.since.toISOString(), requests, total }
  }
}
