import { randomId } from './session-store.js'

/** What a download link hands out: the `.ehtoken` file, and the bare assertion (`?format=saml`). */
export interface Download {
  fileText: string
  fileName: string
  assertionText: string
  assertionFileName: string
}

/** Options of {@link DownloadStore}. */
export interface DownloadStoreOptions {
  now: () => number
  /** How long a link stays usable; default 5 minutes. */
  ttlMs?: number
}

/**
 * The one-time download links of the result page. The link is a bearer secret (it is also the
 * QR code a phone scans, without the browser's cookie), so it is random, works once and expires
 * after a few minutes: a link seen over a shoulder or left in a history is worth nothing later.
 */
export class DownloadStore {
  private readonly links = new Map<string, Download & { expiresAt: number }>()
  private readonly now: () => number
  private readonly ttlMs: number

  constructor(options: DownloadStoreOptions) {
    this.now = options.now
    this.ttlMs = options.ttlMs ?? 5 * 60_000
  }

  /** A fresh link id for `download`. */
  issue(download: Download): string {
    this.sweep()
    const id = randomId()
    this.links.set(id, { ...download, expiresAt: this.now() + this.ttlMs })
    return id
  }

  /** The download of `id`, once: the id is spent whether or not it had expired. */
  take(id: string): Download | undefined {
    const link = this.links.get(id)
    if (!link) return undefined
    this.links.delete(id)
    if (link.expiresAt <= this.now()) return undefined
    return { fileText: link.fileText, fileName: link.fileName, assertionText: link.assertionText, assertionFileName: link.assertionFileName }
  }

  revoke(id: string | undefined): void {
    if (id !== undefined) this.links.delete(id)
  }

  get size(): number {
    return this.links.size
  }

  private sweep(): void {
    const now = this.now()
    for (const [id, link] of this.links) if (link.expiresAt <= now) this.links.delete(id)
  }
}
