import type { ApprovalPrompt, Notice, PairingPrompt, Prompter, SignInPrompt } from './prompter.js'

/**
 * The same Prompter, whose notices also go to `listener` (the tray shows "renewal needed" and
 * errors in its icon). A failing listener never breaks the notice itself.
 */
export function forwardNotices(prompter: Prompter, listener: (notice: Notice) => void): Prompter {
  return {
    askSecret: (prompt: SignInPrompt) => prompter.askSecret(prompt),
    confirm: (prompt: SignInPrompt) => prompter.confirm(prompt),
    approvePairing: (prompt: PairingPrompt) => prompter.approvePairing(prompt),
    approve: (prompt: ApprovalPrompt) => prompter.approve(prompt),
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
