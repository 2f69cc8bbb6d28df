import { randomBytes } from 'node:crypto'
import { AgentError, isAgentError } from '../../protocol/errors.js'
import { systemClock, type Clock } from '../clock.js'
import type { PinRetries } from '../keys/key-source.js'
import { SharedRuns } from '../shared-runs.js'
import { PromptDesk, type DeskAnswer, type DeskQuestion } from './prompt-desk.js'
import type { ApprovalPrompt, AskOptions, Notice, PairingAnswer, PairingPrompt, Prompter, SecretRefusal, SignInPrompt } from './prompter.js'
import { PrompterUnavailableError } from './prompter-unavailable.js'

/** Opens a URL in the user's browser (open-url.ts has the real ones). */
export type OpenUrl = (url: string) => Promise<void>

/** What a key source made of the secret the user gave (watch-key-login.ts reports it). */
export type LoginOutcome = { ok: true } | { ok: false; error: unknown }

export interface WebPrompterOptions {
  /** Opens a prompt's page: an app window where the browser has them (choose-prompter.ts). */
  openUrl: OpenUrl
  clock?: Clock
  /** How long the user has to answer; default 2 minutes, then ERR_USER_TIMEOUT. */
  timeoutMs?: number
  newId?: () => string
}

/**
 * Asks the user on the agent's own pages, opened with a one-time link: the sign-in prompt (PIN,
 * password, or confirmation for a pinpad), and the pairing prompt. The answer goes straight from
 * the page to the waiting caller (threat T10: the PIN never travels over the API, and the
 * agent's own page names the calling application).
 *
 * Prompts that ask the same thing while one is open share it: one page, one answer (T11: ten
 * concurrent logins, one prompt). A wrong PIN or password is asked again on the same page, which
 * says so and shows the tries left; each try is one the user typed. A prompt whose callers all
 * went away is withdrawn at once and its page says so. Until `connect` gives it a way to make
 * links, or when the browser cannot be opened, it throws PrompterUnavailableError, so
 * FallbackPrompter can ask in the terminal instead.
 */
export class WebPrompter implements Prompter {
  readonly desk: PromptDesk
  private readonly openUrl: OpenUrl
  private readonly clock: Clock
  private readonly timeoutMs: number
  private linkFor: ((promptId: string) => string) | undefined
  private readonly shared = new SharedRuns<DeskAnswer>()
  /** Sign-in prompts answered and waiting for their key source's verdict, by key source label. */
  private readonly checking = new Map<string, string>()
  /** The page each sign-in was last answered on, to ask again there after a wrong secret. */
  private readonly answeredOn = new Map<string, string>()

  constructor(options: WebPrompterOptions) {
    this.openUrl = options.openUrl
    this.clock = options.clock ?? systemClock
    this.timeoutMs = options.timeoutMs ?? 120_000
    this.desk = new PromptDesk({ now: () => this.clock.now(), newId: options.newId ?? (() => randomBytes(12).toString('base64url')) })
  }

  /** The pages are served: `linkFor` makes a one-time link to a prompt's page. */
  connect(linkFor: (promptId: string) => string): void {
    this.linkFor = linkFor
  }

  /** The pages are gone (the agent stops): waiting callers get ERR_USER_TIMEOUT now, not later. */
  disconnect(): void {
    this.linkFor = undefined
    this.desk.expireAll()
  }

  async askSecret(prompt: SignInPrompt, options?: AskOptions): Promise<string> {
    const answer = await this.ask({ kind: 'sign-in', prompt }, signInKey(prompt), options)
    if (answer.kind === 'secret') return answer.secret
    throw refusal(answer)
  }

  async askSecretAgain(prompt: SignInPrompt, refused: SecretRefusal, options?: AskOptions): Promise<string> {
    const key = signInKey(prompt)
    const answer = await this.shared.join(`again ${key}`, (signal) => this.showAgain({ kind: 'sign-in', prompt }, key, refused, signal), options?.signal)
    if (answer.kind === 'secret') return answer.secret
    throw refusal(answer)
  }

  async confirm(prompt: SignInPrompt, options?: AskOptions): Promise<void> {
    const answer = await this.ask({ kind: 'sign-in', prompt }, signInKey(prompt), options)
    if (answer.kind !== 'confirm') throw refusal(answer)
  }

  async approvePairing(prompt: PairingPrompt, options?: AskOptions): Promise<PairingAnswer> {
    const answer = await this.ask({ kind: 'pairing', prompt }, pairingKey(prompt), options)
    if (answer.kind === 'withdrawn') throw refusal(answer)
    if (answer.kind !== 'approve') return false
    return answer.usePolicy === undefined ? true : { approved: true, usePolicy: answer.usePolicy }
  }

  async approve(prompt: ApprovalPrompt, options?: AskOptions): Promise<boolean> {
    const answer = await this.ask({ kind: 'approval', prompt }, approvalKey(prompt), options)
    if (answer.kind === 'withdrawn') throw refusal(answer)
    return answer.kind === 'approve'
  }

  notify(_notice: Notice): void {
    // Notices are for the tray and the terminal; a page is only ever opened to ask something.
  }

  /**
   * Open the page of a prompt that waits for the user again, with a fresh link (the tray's
   * "open the waiting request": its window was closed or lost). False when none waits.
   */
  async reopen(promptId?: string): Promise<boolean> {
    const linkFor = this.linkFor
    const entry = this.desk.waiting().find((e) => promptId === undefined || e.id === promptId)
    if (!linkFor || !entry) return false
    await this.openUrl(linkFor(entry.id))
    return true
  }

  /**
   * The key source's verdict on the secret a page gave it, so that page can say "accepted" or
   * "the PIN is incorrect, one try left" instead of leaving the user guessing.
   */
  reportLogin(keySource: string, outcome: LoginOutcome): void {
    let id = this.checking.get(keySource)
    if (id !== undefined) this.checking.delete(keySource)
    else if (this.checking.size === 1) {
      // A PKCS#11 source may name itself more precisely once the token was read.
      const [only] = this.checking
      id = only![1]
      this.checking.clear()
    }
    if (id === undefined) return
    if (outcome.ok) {
      this.desk.settle(id, { phase: 'accepted', at: this.clock.now() })
      return
    }
    const error = outcome.error
    const code = isAgentError(error) ? error.code : 'ERR_KEY_SOURCE'
    const retriesLeft = isAgentError(error) ? readRetries(error.data.retriesLeft) : undefined
    // A wrong PIN or password that the user is asked again for turns back into a question at
    // once (askSecretAgain, in the same turn of the event loop: no page sees this in between).
    this.desk.settle(id, { phase: 'refused', code, ...(retriesLeft !== undefined ? { retriesLeft } : {}) })
  }

  private ask(question: DeskQuestion, key: string, options: AskOptions | undefined): Promise<DeskAnswer> {
    return this.shared.join(key, (signal) => this.show(question, key, signal), options?.signal)
  }

  private async show(question: DeskQuestion, key: string, signal: AbortSignal): Promise<DeskAnswer> {
    const linkFor = this.linkFor
    if (!linkFor) throw new PrompterUnavailableError('the agent does not serve its pages')
    const { id, answer } = this.desk.open(question)
    try {
      await this.openUrl(linkFor(id))
    } catch (err) {
      this.desk.remove(id)
      throw new PrompterUnavailableError(`the browser could not be opened: ${(err as Error).message}`, { cause: err })
    }
    return this.await(question, key, id, answer, signal)
  }

  /** The sign-in's page again, saying the last secret was wrong; a new page if it is gone. */
  private async showAgain(question: DeskQuestion & { kind: 'sign-in' }, key: string, refused: SecretRefusal, signal: AbortSignal): Promise<DeskAnswer> {
    const previous = this.answeredOn.get(key)
    const again = previous === undefined ? undefined : this.desk.reask(previous, refused)
    if (again) return this.await(question, key, again.id, again.answer, signal)
    const linkFor = this.linkFor
    if (!linkFor) throw new PrompterUnavailableError('the agent does not serve its pages')
    const opened = this.desk.open(question, refused)
    try {
      await this.openUrl(linkFor(opened.id))
    } catch (err) {
      this.desk.remove(opened.id)
      throw new PrompterUnavailableError(`the browser could not be opened: ${(err as Error).message}`, { cause: err })
    }
    return this.await(question, key, opened.id, opened.answer, signal)
  }

  /** Wait for the page's answer, the timeout, or every caller going away (the prompt is withdrawn). */
  private async await(question: DeskQuestion, key: string, id: string, answer: Promise<DeskAnswer>, signal: AbortSignal): Promise<DeskAnswer> {
    const withdraw = () => this.desk.withdraw(id)
    if (signal.aborted) withdraw()
    signal.addEventListener('abort', withdraw, { once: true })
    const cancelTimer = this.clock.setTimer(this.timeoutMs, () => this.desk.expire(id))
    let result: DeskAnswer
    try {
      result = await answer
    } finally {
      cancelTimer()
      signal.removeEventListener('abort', withdraw)
    }
    if (question.kind === 'sign-in' && (result.kind === 'secret' || result.kind === 'confirm')) {
      this.checking.set(question.prompt.keySource, id)
      this.answeredOn.set(key, id)
      // Only the latest few matter (one per sign-in under way).
      if (this.answeredOn.size > 32) this.answeredOn.delete(this.answeredOn.keys().next().value!)
    }
    return result
  }
}

/** Two prompts are "the same" when the user would see the same page. */
function signInKey(p: SignInPrompt): string {
  return JSON.stringify(['sign-in', p.purpose, p.profile.id, p.environment, p.keySource, p.requirement.secret, p.client, p.process?.pid ?? null])
}

function pairingKey(p: PairingPrompt): string {
  return JSON.stringify(['pairing', p.client, p.process?.pid ?? null, p.program?.pid ?? null, p.code ?? null, p.scopes.methods, p.scopes.services])
}

let useCount = 0

/**
 * A use is never shared (each message is its own question); a program or a website asking twice
 * while the first question is open is one question: one answer binds it, or allows it, once.
 */
function approvalKey(p: ApprovalPrompt): string {
  if (p.kind === 'use') return JSON.stringify(['use', ++useCount])
  if (p.kind === 'program') return JSON.stringify(['program', p.clientId, p.program?.executable ?? null])
  return JSON.stringify(['origin', p.clientId, p.origin])
}

function refusal(answer: DeskAnswer): AgentError {
  if (answer.kind === 'timeout') return new AgentError('ERR_USER_TIMEOUT')
  if (answer.kind === 'withdrawn') return new AgentError('ERR_USER_CANCELLED', 'the application withdrew its request')
  return new AgentError('ERR_USER_CANCELLED')
}

function readRetries(value: unknown): PinRetries | 0 | undefined {
  return value === 1 || value === 0 || value === 'low' ? value : undefined
}
