/**
 * What start-up has started, so it can be undone in reverse: a failure at any step stops
 * everything the earlier steps started (servers, key sources, files, the sandbox child), and a
 * normal stop runs the same list. Each entry runs once; one that fails does not keep the others
 * from running (the first error is reported after all ran).
 */
export class UndoStack {
  private readonly entries: { what: string; undo: () => Promise<void> | void }[] = []

  /** Record how to undo what was just started. */
  push(what: string, undo: () => Promise<void> | void): void {
    this.entries.push({ what, undo })
  }

  /** What is recorded, oldest first (tests check that a failed start left nothing). */
  list(): string[] {
    return this.entries.map((e) => e.what)
  }

  /** Undo everything, newest first; empties the stack. Throws the first failure, after all ran. */
  async unwind(): Promise<void> {
    let first: unknown
    for (let entry = this.entries.pop(); entry; entry = this.entries.pop()) {
      try {
        await entry.undo()
      } catch (err) {
        first ??= err
      }
    }
    if (first !== undefined) throw first
  }
}
