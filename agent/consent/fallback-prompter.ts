import type { ApprovalPrompt, Notice, PairingAnswer, PairingPrompt, Prompter, SignInPrompt } from './prompter.js'
import { PrompterUnavailableError } from './prompter-unavailable.js'

/**
 * Asks through `primary` (the browser pages) and, when it cannot reach the user at all
 * (PrompterUnavailableError: no browser could be opened), through `fallback` (the terminal).
 * A user who cancels or does not answer is an answer: that is never retried elsewhere, or one
 * login could ask for the PIN twice (threat T10).
 */
export class FallbackPrompter implements Prompter {
  private readonly primary: Prompter
  private readonly fallback: Prompter

  constructor(primary: Prompter, fallback: Prompter) {
    this.primary = primary
    this.fallback = fallback
  }

  askSecret(prompt: SignInPrompt): Promise<string> {
    return this.attempt((p) => p.askSecret(prompt))
  }

  confirm(prompt: SignInPrompt): Promise<void> {
    return this.attempt((p) => p.confirm(prompt))
  }

  approvePairing(prompt: PairingPrompt): Promise<PairingAnswer> {
    return this.attempt((p) => p.approvePairing(prompt))
  }

  approve(prompt: ApprovalPrompt): Promise<boolean> {
    return this.attempt((p) => p.approve(prompt))
  }

  notify(notice: Notice): void {
    this.primary.notify(notice)
    this.fallback.notify(notice)
  }

  private async attempt<T>(ask: (prompter: Prompter) => Promise<T>): Promise<T> {
    try {
      return await ask(this.primary)
    } catch (err) {
      if (!(err instanceof PrompterUnavailableError)) throw err
      return ask(this.fallback)
    }
  }
}
