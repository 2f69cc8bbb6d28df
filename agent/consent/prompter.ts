import type { LoginRequirement } from '../keys/key-source.js'

/** Who is asking, shown to the user with every prompt (threat T10: the UI names the client). */
export interface PromptContext {
  /** The calling application as paired ("MediSoft 4.2"), or "ehagent" for the CLI, "tray" for the user. */
  client: string
  /** The process behind the client, where the OS tells us. */
  process?: { pid?: number; executable?: string; user?: string }
}

/** A sign-in (or renewal) that needs the user: which profile, where, with what key. */
export interface SignInPrompt extends PromptContext {
  purpose: 'login' | 'renewal'
  profile: { id: string; label: string }
  /** Environment label ("Sandbox (simulated eHealth)", "Production"). */
  environment: string
  /** The key source's label ("eID card of Jan Peeters", "eHealth keystore SSIN=…"). */
  keySource: string
  requirement: LoginRequirement
}

/** A pairing request from an application. */
export interface PairingPrompt extends PromptContext {
  scopes: { methods: string[]; services: string[] }
}

export type Notice =
  | { kind: 'signed-in'; text: string }
  | { kind: 'signed-out'; text: string }
  | { kind: 'renewal-needed'; text: string; at: Date }
  | { kind: 'error'; text: string }

/**
 * The user, as the agent reaches them: the tray and its local pages, the terminal, or a script
 * in tests and `--demo`. Only the agent's own Prompter ever asks for the PIN or password; the
 * API never carries one (threat T10).
 *
 * `askSecret` and `confirm` reject with ERR_USER_CANCELLED when the user cancels and
 * ERR_USER_TIMEOUT when they do not answer.
 */
export interface Prompter {
  /** The PIN (requirement.secret 'pin') or keystore password ('password'). */
  askSecret(prompt: SignInPrompt): Promise<string>
  /** Confirmation only: the PIN is entered on a pinpad or in the middleware's own dialog. */
  confirm(prompt: SignInPrompt): Promise<void>
  /** True when the user approves the pairing. */
  approvePairing(prompt: PairingPrompt): Promise<boolean>
  /** Tell the user something without waiting for an answer. */
  notify(notice: Notice): void
}
