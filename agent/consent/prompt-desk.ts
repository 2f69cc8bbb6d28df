/**
 * The prompts waiting for the user on the agent's pages: what each asks, how far it got, and the
 * way back to the caller waiting for the answer. The web prompter puts prompts here; the pages
 * (agent/ui) show them and hand the user's answer back.
 *
 * The answer (a PIN or password) goes straight to the waiting caller: the desk hands it on and
 * keeps only the phase, never the secret.
 */
import type { ErrorCode } from '../../protocol/errors.js'
import type { PinRetries } from '../keys/key-source.js'
import type { UsePolicy } from '../../protocol/rpc/methods.js'
import type { ApprovalPrompt, PairingPrompt, SecretRefusal, SignInPrompt } from './prompter.js'

/** What a prompt asks. */
export type DeskQuestion = { kind: 'sign-in'; prompt: SignInPrompt } | { kind: 'pairing'; prompt: PairingPrompt } | { kind: 'approval'; prompt: ApprovalPrompt }

/** The user's answer, or why there is none. */
export type DeskAnswer =
  | { kind: 'secret'; secret: string }
  | { kind: 'confirm' }
  /** `usePolicy`: what the user chose on a pairing page. */
  | { kind: 'approve'; usePolicy?: UsePolicy }
  | { kind: 'deny' }
  | { kind: 'cancel' }
  | { kind: 'timeout' }
  /** Nobody waits for the answer any more: the caller went away (Ctrl-C in the CLI). */
  | { kind: 'withdrawn' }

/** Where a prompt is; the page shows it. */
export type DeskPhase =
  /** For the user; `refusal` when the PIN or password just given was wrong and the user is asked again. */
  | { phase: 'waiting'; refusal?: SecretRefusal }
  /** Answered; the key source is checking the PIN or password. */
  | { phase: 'checking' }
  /** The key source took it; the STS exchange follows. */
  | { phase: 'accepted'; at: Date }
  /** The key source refused it: never retried (threat T11). */
  | { phase: 'refused'; code: ErrorCode; retriesLeft?: PinRetries | 0 }
  | { phase: 'approved' }
  | { phase: 'denied' }
  | { phase: 'cancelled' }
  | { phase: 'expired' }
  /** The caller stopped waiting before the user answered. */
  | { phase: 'withdrawn' }

export interface DeskEntry {
  id: string
  question: DeskQuestion
  createdAt: Date
  state: DeskPhase
}

export interface PromptDeskOptions {
  now: () => Date
  newId: () => string
  /** How long a finished prompt stays readable for its page; default 5 minutes. */
  keepFinishedMs?: number
  /** Told after every change (a prompt opened, answered, finished): the tray follows the waiting ones. */
  onChange?: () => void
}

interface Slot {
  entry: DeskEntry
  resolve: ((answer: DeskAnswer) => void) | undefined
  finishedAt: number | undefined
}

/** The answers the pages may give to each kind of question. */
const ALLOWED: Record<DeskQuestion['kind'], ReadonlySet<DeskAnswer['kind']>> = {
  'sign-in': new Set(['secret', 'confirm', 'cancel']),
  pairing: new Set(['approve', 'deny', 'cancel']),
  approval: new Set(['approve', 'deny', 'cancel']),
}

const STALE_MS = 60 * 60_000

export class PromptDesk {
  private readonly opts: Required<Omit<PromptDeskOptions, 'onChange'>>
  private readonly slots = new Map<string, Slot>()
  private readonly listeners: (() => void)[] = []

  constructor(options: PromptDeskOptions) {
    const { onChange, ...rest } = options
    this.opts = { keepFinishedMs: 5 * 60_000, ...rest }
    if (onChange) this.listeners.push(onChange)
  }

  /** Be told after every change (the tray follows the prompts that wait for the user). */
  subscribe(listener: () => void): void {
    this.listeners.push(listener)
  }

  /** Put a question up; `answer` settles once, with the user's answer, a cancel, a timeout or a withdrawal. */
  open(question: DeskQuestion, refusal?: SecretRefusal): { id: string; answer: Promise<DeskAnswer> } {
    this.prune()
    const id = this.opts.newId()
    let resolve!: (answer: DeskAnswer) => void
    const answer = new Promise<DeskAnswer>((r) => (resolve = r))
    this.slots.set(id, { entry: { id, question, createdAt: this.opts.now(), state: { phase: 'waiting', ...(refusal ? { refusal } : {}) } }, resolve, finishedAt: undefined })
    this.changed()
    return { id, answer }
  }

  /**
   * Ask a sign-in again on the same page, after its PIN or password was refused: the prompt
   * waits for the user once more, saying what was wrong. Only a sign-in whose answer was taken
   * (checking, or refused by its key source) can be asked again; undefined otherwise.
   */
  reask(id: string, refusal: SecretRefusal): { id: string; answer: Promise<DeskAnswer> } | undefined {
    const slot = this.slots.get(id)
    if (!slot || slot.resolve || slot.entry.question.kind !== 'sign-in') return undefined
    if (slot.entry.state.phase !== 'checking' && slot.entry.state.phase !== 'refused') return undefined
    let resolve!: (answer: DeskAnswer) => void
    const answer = new Promise<DeskAnswer>((r) => (resolve = r))
    slot.resolve = resolve
    slot.finishedAt = undefined
    slot.entry.state = { phase: 'waiting', refusal }
    this.changed()
    return { id, answer }
  }

  /** The prompts waiting for the user, oldest first. */
  waiting(): DeskEntry[] {
    return [...this.slots.values()].filter((s) => s.resolve && s.entry.state.phase === 'waiting').map((s) => ({ ...s.entry, state: { ...s.entry.state } }))
  }

  /** A copy of the entry, for a page. */
  get(id: string): DeskEntry | undefined {
    const slot = this.slots.get(id)
    return slot ? { ...slot.entry, state: { ...slot.entry.state } } : undefined
  }

  /**
   * The user's answer from a page. Only a waiting prompt takes one, and only an answer that fits
   * its question (a pairing takes no secret); false otherwise. A secret or a confirmation moves
   * the sign-in to `checking`; the rest finish the prompt.
   */
  answer(id: string, answer: DeskAnswer): boolean {
    const slot = this.slots.get(id)
    if (!slot || !slot.resolve || slot.entry.state.phase !== 'waiting') return false
    if (!ALLOWED[slot.entry.question.kind].has(answer.kind)) return false
    if (answer.kind === 'secret' && (slot.entry.question.kind !== 'sign-in' || slot.entry.question.prompt.requirement.secret === 'none')) return false
    if (answer.kind === 'confirm' && (slot.entry.question.kind !== 'sign-in' || slot.entry.question.prompt.requirement.secret !== 'none')) return false
    const resolve = slot.resolve
    slot.resolve = undefined
    switch (answer.kind) {
      case 'secret':
      case 'confirm':
        slot.entry.state = { phase: 'checking' }
        break
      case 'approve':
        this.finish(slot, { phase: 'approved' })
        break
      case 'deny':
        this.finish(slot, { phase: 'denied' })
        break
      default:
        this.finish(slot, { phase: 'cancelled' })
    }
    resolve(answer)
    this.changed()
    return true
  }

  /** No answer in time: the waiting caller gets a timeout; a later answer is refused. */
  expire(id: string): void {
    this.close(id, { phase: 'expired' }, { kind: 'timeout' })
  }

  /**
   * The caller went away before the user answered: the prompt stops waiting at once (its page
   * says the application withdrew it) and takes no answer.
   */
  withdraw(id: string): void {
    this.close(id, { phase: 'withdrawn' }, { kind: 'withdrawn' })
  }

  /** Expire every waiting prompt (the agent stops: nobody will answer them). */
  expireAll(): void {
    for (const id of [...this.slots.keys()]) this.expire(id)
  }

  /** What the key source made of the answer (`accepted` or `refused`), for the page. */
  settle(id: string, state: Extract<DeskPhase, { phase: 'accepted' | 'refused' }>): void {
    const slot = this.slots.get(id)
    if (!slot || slot.entry.state.phase !== 'checking') return
    this.finish(slot, state)
    this.changed()
  }

  /** Drop a prompt that never reached the user (its page could not be opened). */
  remove(id: string): void {
    if (this.slots.delete(id)) this.changed()
  }

  private close(id: string, state: DeskPhase, answer: DeskAnswer): void {
    const slot = this.slots.get(id)
    if (!slot || !slot.resolve) return
    const resolve = slot.resolve
    slot.resolve = undefined
    this.finish(slot, state)
    resolve(answer)
    this.changed()
  }

  private finish(slot: Slot, state: DeskPhase): void {
    slot.entry.state = state
    slot.finishedAt = this.opts.now().getTime()
  }

  private changed(): void {
    for (const listener of this.listeners) {
      try {
        listener()
      } catch {
        // A listener (the tray) failing changes nothing for the prompt.
      }
    }
  }

  private prune(): void {
    const now = this.opts.now().getTime()
    const cutoff = now - this.opts.keepFinishedMs
    for (const [id, slot] of this.slots) {
      // A sign-in whose key source never reported back (it hung, or was not watched) is not kept forever either.
      const stale = slot.resolve === undefined && slot.entry.createdAt.getTime() <= now - STALE_MS
      if ((slot.finishedAt !== undefined && slot.finishedAt <= cutoff) || stale) this.slots.delete(id)
    }
  }
}
