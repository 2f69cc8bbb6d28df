/**
 * A Prompter cannot reach the user at all (no browser to open, its pages not served yet), as
 * opposed to the user not answering. FallbackPrompter catches it and asks another way; it never
 * reaches a caller.
 */
export class PrompterUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'PrompterUnavailableError'
  }
}
