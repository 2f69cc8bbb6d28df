import type { ApprovalPrompt, AskOptions, Notice, PairingAnswer, PairingPrompt, Prompter, SecretRefusal, SignInPrompt } from './prompter.js'
import { PrompterUnavailableError } from './prompter-unavailable.js'

/**
 * Asks through `primary` (the browser pages) and, when it cannot reach the user at all
 * (PrompterUnavailableError: no browser could be opened), through `fallback` (the terminal).
 * A user who cancels or does not answer is an answer: that is never retried elsewhere, or one
 * login could ask for the PIN twice (threat T10). It asks again after a wrong PIN when both can.
 */
export class FallbackPrompter implements Prompter {
  private readonly primary: Prompter
  private readonly fallback: Prompter
  readonly askSecretAgain?: (prompt: SignInPrompt, refusal: SecretRefusal, options?: AskOptions) => Promise<string>

  constructor(primary: Prompter, fallback: Prompter) {
    this.primary = primary
    this.fallback = fallback
    if (primary.askSecretAgain && fallback.askSecretAgain) {
      this.askSecretAgain = (prompt, refusal, options) => this.attempt((p) => p.askSecretAgain!(prompt, refusal, options))
    }
  }

  askSecret(prompt: SignInPrompt, options?: AskOptions): Promise<string> {
    return this.attempt((p) => p.askSecret(prompt, options))
  }

  confirm(prompt: SignInPrompt, options?: AskOptions): Promise<void> {
    return this.attempt((p) => p.confirm(prompt, options))
  }

  approvePairing(prompt: PairingPrompt, options?: AskOptions): Promise<PairingAnswer> {
    return this.attempt((p) => p.approvePairing(prompt, options))
  }

  approve(prompt: ApprovalPrompt, options?: AskOptions): Promise<boolean> {
    return this.attempt((p) => p.approve(prompt, options))
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
