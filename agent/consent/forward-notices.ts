import type { ApprovalPrompt, AskOptions, Notice, PairingPrompt, Prompter, SecretRefusal, SignInPrompt } from './prompter.js'

/**
 * The same Prompter, whose notices also go to `listener` (the tray shows "renewal needed" and
 * errors in its icon). A failing listener never breaks the notice itself.
 */
export function forwardNotices(prompter: Prompter, listener: (notice: Notice) => void): Prompter {
  const again = prompter.askSecretAgain?.bind(prompter)
  return {
    askSecret: (prompt: SignInPrompt, options?: AskOptions) => prompter.askSecret(prompt, options),
    ...(again ? { askSecretAgain: (prompt: SignInPrompt, refusal: SecretRefusal, options?: AskOptions) => again(prompt, refusal, options) } : {}),
    confirm: (prompt: SignInPrompt, options?: AskOptions) => prompter.confirm(prompt, options),
    approvePairing: (prompt: PairingPrompt, options?: AskOptions) => prompter.approvePairing(prompt, options),
    approve: (prompt: ApprovalPrompt, options?: AskOptions) => prompter.approve(prompt, options),
    notify(notice: Notice) {
      prompter.notify(notice)
      try {
        listener(notice)
      } catch {
        // The tray failing to show a notice is no reason to fail what caused it.
      }
    },
  }
}
