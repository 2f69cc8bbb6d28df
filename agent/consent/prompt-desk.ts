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
import type { ApprovalPrompt, PairingPrompt, SignInPrompt } from './prompter.js'

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

/** Where a prompt is; the page shows it. */
export type DeskPhase =
  | { phase: 'waiting' }
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
  private readonly opts: Required<PromptDeskOptions>
  private readonly slots = new Map<string, Slot>()

  constructor(options: PromptDeskOptions) {
    this.opts = { keepFinishedMs: 5 * 60_000, ...options }
  }

  /** Put a question up; `answer` settles once, with the user's answer, a cancel or a timeout. */
  open(question: DeskQuestion): { id: string; answer: Promise<DeskAnswer> } {
    this.prune()
    const id = this.opts.newId()
    let resolve!: (answer: DeskAnswer) => void
    const answer = new Promise<DeskAnswer>((r) => (resolve = r))
    this.slots.set(id, { entry: { id, question, createdAt: this.opts.now(), state: { phase: 'waiting' } }, resolve, finishedAt: undefined })
    return { id, answer }
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
    return true
  }

  /** No answer in time: the waiting caller gets a timeout; a later answer is refused. */
  expire(id: string): void {
    const slot = this.slots.get(id)
    if (!slot || !slot.resolve) return
    const resolve = slot.resolve
    slot.resolve = undefined
    this.finish(slot, { phase: 'expired' })
    resolve({ kind: 'timeout' })
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
  }

  /** Drop a prompt that never reached the user (its page could not be opened). */
  remove(id: string): void {
    this.slots.delete(id)
  }

  private finish(slot: Slot, state: DeskPhase): void {
    slot.entry.state = state
    slot.finishedAt = this.opts.now().getTime()
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
