import { AgentError } from '../../protocol/errors.js'
import type { ApprovalPrompt, AskOptions, Notice, PairingAnswer, PairingPrompt, Prompter, SecretRefusal, SignInPrompt } from './prompter.js'

/** What a scripted prompter answers. */
export interface PromptScript {
  /** The secret to give, or 'cancel' / 'timeout' to refuse; a function to decide per prompt. */
  secret: string | 'cancel' | 'timeout' | ((prompt: SignInPrompt) => string | 'cancel' | 'timeout')
  /** Whether pairing requests are approved (or with which use policy); default true. */
  approvePairing?: PairingAnswer
  /** Whether other approvals (one use, another program, a website) are given; default true. */
  approve?: boolean | ((prompt: ApprovalPrompt) => boolean)
  /**
   * After a wrong PIN or password: the next try, or 'cancel' to stop. Absent: the prompter does
   * not ask again and the refusal goes to the caller.
   */
  again?: (prompt: SignInPrompt, refusal: SecretRefusal) => string | 'cancel'
}

/**
 * A Prompter that answers from a script: tests, and `ehagent start --demo` in the sandbox (where
 * the demo PIN and password are public). It records every prompt so tests can assert what the
 * user would have seen, and how many times they were asked (threat T11: one login, one prompt).
 */
export class ScriptedPrompter implements Prompter {
  readonly prompts: SignInPrompt[] = []
  readonly pairings: PairingPrompt[] = []
  readonly notices: Notice[] = []
  /** Every refusal it was asked again after, in order. */
  readonly refusals: SecretRefusal[] = []
  readonly askSecretAgain?: (prompt: SignInPrompt, refusal: SecretRefusal, options?: AskOptions) => Promise<string>
  readonly approvals: ApprovalPrompt[] = []

  private readonly script: PromptScript

  constructor(script: PromptScript) {
    this.script = script
    const again = script.again
    if (again) {
      this.askSecretAgain = async (prompt, refusal) => {
        this.refusals.push(refusal)
        const answer = again(prompt, refusal)
        if (answer === 'cancel') throw new AgentError('ERR_USER_CANCELLED')
        return answer
      }
    }
  }

  async askSecret(prompt: SignInPrompt): Promise<string> {
    this.prompts.push(prompt)
    const answer = typeof this.script.secret === 'function' ? this.script.secret(prompt) : this.script.secret
    if (answer === 'cancel') throw new AgentError('ERR_USER_CANCELLED')
    if (answer === 'timeout') throw new AgentError('ERR_USER_TIMEOUT')
    return answer
  }

  async confirm(prompt: SignInPrompt): Promise<void> {
    this.prompts.push(prompt)
    const answer = typeof this.script.secret === 'function' ? this.script.secret(prompt) : this.script.secret
    if (answer === 'cancel') throw new AgentError('ERR_USER_CANCELLED')
    if (answer === 'timeout') throw new AgentError('ERR_USER_TIMEOUT')
  }

  async approvePairing(prompt: PairingPrompt): Promise<PairingAnswer> {
    this.pairings.push(prompt)
    return this.script.approvePairing ?? true
  }

  async approve(prompt: ApprovalPrompt): Promise<boolean> {
    this.approvals.push(prompt)
    const answer = this.script.approve ?? true
    return typeof answer === 'function' ? answer(prompt) : answer
  }

  notify(notice: Notice): void {
    this.notices.push(notice)
  }
}
