import type { UsePolicy } from '../../protocol/rpc/methods.js'
import type { CallerProgram } from '../callers/caller-program.js'
import type { LoginRequirement, PinRetries } from '../keys/key-source.js'

/** Who is asking, shown to the user with every prompt (threat T10: the UI names the client). */
export interface PromptContext {
  /** The calling application as paired ("MediSoft 4.2"), or "ehagent" for the CLI, "tray" for the user. */
  client: string
  /** The process behind the client, where the OS tells us. */
  process?: { pid?: number; executable?: string; user?: string }
  /** The program behind the call as the OS reported it (executable, pid, user, command line). */
  program?: CallerProgram
  /** The website a browser extension asks for, as the browser reported it. */
  origin?: string
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
  /** The six-digit code the application shows too (protocol/rpc/pairing-code.ts). */
  code?: string
  /** True when the application computed the code itself (it sent a nonce): it can show it. */
  codeShownByApplication?: boolean
  /** A browser extension's host: it will sign for the websites the user allows, one by one. */
  kind?: 'application' | 'browser-extension'
  /** The use policy preselected on the page (what the application suggested, or silent). */
  usePolicy?: UsePolicy
  /** The admin policy's minimum: weaker choices are not offered; `source` names the policy. */
  minimumUsePolicy?: { level: UsePolicy; source: string }
}

/** The user's answer to a pairing: a plain yes/no, or yes with the use policy they chose. */
export type PairingAnswer = boolean | { approved: boolean; usePolicy?: UsePolicy }

/**
 * A yes/no question about one use of the session, beyond signing in and pairing:
 *
 * - `use`: a client whose use policy is "ask every time" wants one message signed; the page shows
 *   what the agent itself parsed of it (threat T9): service, operation, Body root element;
 * - `program`: a paired credential arrives from another executable than the one(s) it is bound
 *   to (a copied credential, or the application was reinstalled elsewhere); approving binds that
 *   executable too;
 * - `origin`: a website asks through the browser extension for the first time; approving allows
 *   that origin (revocable in the admin pages).
 */
export type ApprovalPrompt =
  | (PromptContext & {
      kind: 'use'
      method: 'soap.sign' | 'soap.call'
      /** The endpoint of soap.call; absent for soap.sign (the application sends it itself). */
      endpoint?: string
      soapAction?: string
      /** The Body's first element, `{namespace}localName`, from the agent's own parse. */
      bodyRoot: string
    })
  | (PromptContext & { kind: 'program'; clientId: string; boundExecutables: string[] })
  | (PromptContext & { kind: 'origin'; clientId: string; origin: string })

/** Normalize a {@link PairingAnswer}. */
export function readPairingAnswer(answer: PairingAnswer): { approved: boolean; usePolicy?: UsePolicy } {
  return typeof answer === 'boolean' ? { approved: answer } : answer
}

export type Notice =
  | { kind: 'signed-in'; text: string }
  | { kind: 'signed-out'; text: string }
  | { kind: 'renewal-needed'; text: string; at: Date }
  | { kind: 'error'; text: string }
  /** A client with the "notify" use policy had something signed: names the program and the operation. */
  | { kind: 'used'; text: string; who: string; operation: string }

/** Options of one question to the user. */
export interface AskOptions {
  /**
   * Aborted when nobody waits for the answer any more (the caller's connection closed: Ctrl-C
   * in the CLI): the question is withdrawn, its page says so, and the call rejects with
   * ERR_USER_CANCELLED.
   */
  signal?: AbortSignal
}

/** Why the PIN or password just given was refused: shown when the user is asked again. */
export interface SecretRefusal {
  code: 'ERR_PIN_INCORRECT' | 'ERR_PASSWORD_INCORRECT'
  /** From the token flags (PKCS#11 CKF_USER_PIN_FINAL_TRY → 1, CKF_USER_PIN_COUNT_LOW → 'low'); absent when the source says nothing. */
  retriesLeft?: PinRetries
}

/**
 * The user, as the agent reaches them: the tray and its local pages, the terminal, or a script
 * in tests and `--demo`. Only the agent's own Prompter ever asks for the PIN or password; the
 * API never carries one (threat T10).
 *
 * `askSecret` and `confirm` reject with ERR_USER_CANCELLED when the user cancels (or the caller
 * withdrew the question) and ERR_USER_TIMEOUT when they do not answer.
 */
export interface Prompter {
  /** The PIN (requirement.secret 'pin') or keystore password ('password'). */
  askSecret(prompt: SignInPrompt, options?: AskOptions): Promise<string>
  /**
   * After a wrong PIN or password: ask again — on the same page where there is one — saying it
   * was wrong and how many tries are left. Nothing is retried by itself: each new try is one
   * the user typed, and the user may stop (ERR_USER_CANCELLED). A prompter without it reports the
   * refusal to the caller instead.
   */
  askSecretAgain?(prompt: SignInPrompt, refusal: SecretRefusal, options?: AskOptions): Promise<string>
  /** Confirmation only: the PIN is entered on a pinpad or in the middleware's own dialog. */
  confirm(prompt: SignInPrompt, options?: AskOptions): Promise<void>
  /** True (or `{approved: true, usePolicy}`) when the user approves the pairing. */
  approvePairing(prompt: PairingPrompt, options?: AskOptions): Promise<PairingAnswer>
  /** True when the user approves: one use, another program for a credential, a website. */
  approve(prompt: ApprovalPrompt, options?: AskOptions): Promise<boolean>
  /** Tell the user something without waiting for an answer. */
  notify(notice: Notice): void
}
