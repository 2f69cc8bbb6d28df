import { randomBytes } from 'node:crypto'
import { AgentError, isAgentError } from '../../protocol/errors.js'
import { systemClock, type Clock } from '../clock.js'
import type { PinRetries } from '../keys/key-source.js'
import { PromptDesk, type DeskAnswer, type DeskQuestion } from './prompt-desk.js'
import type { ApprovalPrompt, Notice, PairingAnswer, PairingPrompt, Prompter, SignInPrompt } from './prompter.js'
import { PrompterUnavailableError } from './prompter-unavailable.js'

/** Opens a URL in the user's default browser (open-url.ts has the real one). */
export type OpenUrl = (url: string) => Promise<void>

/** What a key source made of the secret the user gave (watch-key-login.ts reports it). */
export type LoginOutcome = { ok: true } | { ok: false; error: unknown }

export interface WebPrompterOptions {
  openUrl: OpenUrl
  clock?: Clock
  /** How long the user has to answer; default 2 minutes, then ERR_USER_TIMEOUT. */
  timeoutMs?: number
  newId?: () => string
}

/**
 * Asks the user on the agent's own pages, opened in the default browser with a one-time link:
 * the sign-in prompt (PIN, password, or confirmation for a pinpad), and the pairing prompt. The
 * answer goes straight from the page to the waiting caller (threat T10: the PIN never travels
 * over the API, and the agent's own page names the calling application).
 *
 * Prompts that ask the same thing while one is open share it: one page, one answer (T11: ten
 * concurrent logins, one prompt). Until `connect` gives it a way to make links, or when the
 * browser cannot be opened, it throws PrompterUnavailableError, so FallbackPrompter can ask in
 * the terminal instead.
 */
export class WebPrompter implements Prompter {
  readonly desk: PromptDesk
  private readonly openUrl: OpenUrl
  private readonly clock: Clock
  private readonly timeoutMs: number
  private linkFor: ((promptId: string) => string) | undefined
  private readonly shared = new Map<string, Promise<DeskAnswer>>()
  /** Sign-in prompts answered and waiting for their key source's verdict, by key source label. */
  private readonly checking = new Map<string, string>()

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

  async askSecret(prompt: SignInPrompt): Promise<string> {
    const answer = await this.ask({ kind: 'sign-in', prompt }, signInKey(prompt))
    if (answer.kind === 'secret') return answer.secret
    throw refusal(answer)
  }

  async confirm(prompt: SignInPrompt): Promise<void> {
    const answer = await this.ask({ kind: 'sign-in', prompt }, signInKey(prompt))
    if (answer.kind !== 'confirm') throw refusal(answer)
  }

  async approvePairing(prompt: PairingPrompt): Promise<PairingAnswer> {
    const answer = await this.ask({ kind: 'pairing', prompt }, pairingKey(prompt))
    if (answer.kind !== 'approve') return false
    return answer.usePolicy === undefined ? true : { approved: true, usePolicy: answer.usePolicy }
  }

  async approve(prompt: ApprovalPrompt): Promise<boolean> {
    const answer = await this.ask({ kind: 'approval', prompt }, approvalKey(prompt))
    return answer.kind === 'approve'
  }

  notify(_notice: Notice): void {
    // Notices are for the tray and the terminal; a page is only ever opened to ask something.
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
    this.desk.settle(id, { phase: 'refused', code, ...(retriesLeft !== undefined ? { retriesLeft } : {}) })
  }

  private ask(question: DeskQuestion, key: string): Promise<DeskAnswer> {
    const open = this.shared.get(key)
    if (open) return open
    const run = this.show(question).finally(() => this.shared.delete(key))
    this.shared.set(key, run)
    return run
  }

  private async show(question: DeskQuestion): Promise<DeskAnswer> {
    const linkFor = this.linkFor
    if (!linkFor) throw new PrompterUnavailableError('the agent does not serve its pages')
    const { id, answer } = this.desk.open(question)
    try {
      await this.openUrl(linkFor(id))
    } catch (err) {
      this.desk.remove(id)
      throw new PrompterUnavailableError(`the browser could not be opened: ${(err as Error).message}`, { cause: err })
    }
    const cancelTimer = this.clock.setTimer(this.timeoutMs, () => this.desk.expire(id))
    const result = await answer
    cancelTimer()
    if (question.kind === 'sign-in' && (result.kind === 'secret' || result.kind === 'confirm')) this.checking.set(question.prompt.keySource, id)
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
  return answer.kind === 'timeout' ? new AgentError('ERR_USER_TIMEOUT') : new AgentError('ERR_USER_CANCELLED')
}

function readRetries(value: unknown): PinRetries | 0 | undefined {
  return value === 1 || value === 0 || value === 'low' ? value : undefined
}
