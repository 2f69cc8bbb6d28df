import { AgentError } from '../../protocol/errors.js'
import { displayPairingCode } from '../../protocol/rpc/pairing-code.js'
import type { ApprovalPrompt, AskOptions, Notice, PairingPrompt, PromptContext, Prompter, SecretRefusal, SignInPrompt } from './prompter.js'

/** The terminal the agent was started from, when it has one. */
export interface Terminal {
  input: NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?: (raw: boolean) => unknown }
  output: NodeJS.WritableStream
}

/** Options of {@link TerminalPrompter}. */
export interface TerminalPrompterOptions {
  terminal: Terminal
  /** How long the user has to answer; default 2 minutes, then ERR_USER_TIMEOUT. */
  timeoutMs?: number
}

/**
 * Asks the user in the terminal the agent runs in (no display, or `npm start` on a fresh
 * machine). The PIN is read without echo. Concurrent prompts are queued: one question at a time,
 * and a question whose caller went away is dropped (withdrawn: it never blocks the next one).
 * Every question names the calling application, the profile, the environment and the key
 * (threat T10); an empty answer cancels. After a wrong PIN or password it asks again, saying so
 * and how many tries are left, until the user gives an empty answer.
 */
export class TerminalPrompter implements Prompter {
  private readonly terminal: Terminal
  private readonly timeoutMs: number
  private queue: Promise<unknown> = Promise.resolve()

  constructor(options: TerminalPrompterOptions) {
    this.terminal = options.terminal
    this.timeoutMs = options.timeoutMs ?? 120_000
  }

  askSecret(prompt: SignInPrompt, options?: AskOptions): Promise<string> {
    return this.serialize(options?.signal, async (signal) => {
      const what = prompt.requirement.secret === 'pin' ? 'eID PIN' : 'keystore password'
      const tries = prompt.requirement.secret === 'pin' && prompt.requirement.retriesLeft ? ` (${describeTries(prompt.requirement.retriesLeft)})` : ''
      this.say(`\n${describe(prompt)}\n`)
      const answer = await this.read(`${what} for ${prompt.keySource}${tries} (empty to cancel): `, true, signal)
      if (!answer) throw new AgentError('ERR_USER_CANCELLED')
      return answer
    })
  }

  askSecretAgain(prompt: SignInPrompt, refusal: SecretRefusal, options?: AskOptions): Promise<string> {
    return this.serialize(options?.signal, async (signal) => {
      const wrong = refusal.code === 'ERR_PIN_INCORRECT' ? 'The PIN is incorrect' : 'The password is incorrect'
      const tries = refusal.retriesLeft ? ` (${describeTries(refusal.retriesLeft)})` : ''
      const what = prompt.requirement.secret === 'pin' ? 'eID PIN' : 'keystore password'
      this.say(`${wrong}${tries}. Nothing is retried by itself.\n`)
      const answer = await this.read(`${what} again, or empty to stop: `, true, signal)
      if (!answer) throw new AgentError('ERR_USER_CANCELLED')
      return answer
    })
  }

  confirm(prompt: SignInPrompt, options?: AskOptions): Promise<void> {
    return this.serialize(options?.signal, async (signal) => {
      this.say(`\n${describe(prompt)}\nEnter the PIN on the card reader or in the eID software's window.\n`)
      const answer = await this.read('Continue? [Y/n] ', false, signal)
      if (/^n/i.test(answer)) throw new AgentError('ERR_USER_CANCELLED')
    })
  }

  approvePairing(prompt: PairingPrompt, options?: AskOptions): Promise<boolean> {
    return this.serialize(options?.signal, async (signal) => {
      const code = prompt.code ? `\nPairing code: ${displayPairingCode(prompt.code)}${prompt.codeShownByApplication ? ' (allow only if the application shows the same code)' : ''}` : ''
      this.say(`\n${describeCaller(prompt)} asks to use your eHealth session.\nIt may call: ${prompt.scopes.methods.join(', ')}${code}\n`)
      const answer = await this.read('Allow it? [y/N] ', false, signal).catch((err: unknown) => {
        if (signal?.aborted) throw err
        return ''
      })
      return /^y/i.test(answer)
    })
  }

  approve(prompt: ApprovalPrompt, options?: AskOptions): Promise<boolean> {
    return this.serialize(options?.signal, async (signal) => {
      this.say(`\n${describeApproval(prompt)}\n`)
      const answer = await this.read('Allow it? [y/N] ', false, signal).catch((err: unknown) => {
        if (signal?.aborted) throw err
        return ''
      })
      return /^y/i.test(answer)
    })
  }

  notify(notice: Notice): void {
    this.say(`[ehealth-agent] ${notice.text}\n`)
  }

  /** One question at a time; one whose caller went away while queued is never asked. */
  private serialize<T>(signal: AbortSignal | undefined, task: (signal: AbortSignal | undefined) => Promise<T>): Promise<T> {
    const start = () => {
      if (signal?.aborted) return Promise.reject(withdrawn())
      return task(signal)
    }
    const run = this.queue.then(start, start)
    this.queue = run.catch(() => undefined)
    return run
  }

  private say(text: string): void {
    this.terminal.output.write(text)
  }

  /** One line from the terminal; `hidden` reads without echo (raw mode). Stops when `signal` aborts. */
  private read(question: string, hidden: boolean, signal?: AbortSignal): Promise<string> {
    const { input } = this.terminal
    if (!input.isTTY) return Promise.reject(new AgentError('ERR_USER_TIMEOUT', 'no terminal to ask the user in; start the agent from a terminal, or with --demo in the sandbox'))
    this.say(question)
    return new Promise((resolve, reject) => {
      let buffer = ''
      const raw = hidden && typeof input.setRawMode === 'function'
      if (raw) input.setRawMode!(true)
      input.resume()
      const done = (err: AgentError | undefined, value?: string) => {
        clearTimeout(timer)
        signal?.removeEventListener('abort', onAbort)
        input.off('data', onData)
        if (raw) input.setRawMode!(false)
        input.pause()
        this.say('\n')
        if (err) reject(err)
        else resolve(value ?? '')
      }
      const onData = (chunk: Buffer | string) => {
        for (const ch of chunk.toString('utf8')) {
          if (ch === '\r' || ch === '\n') return done(undefined, buffer)
          if (ch === '\u0003') return done(new AgentError('ERR_USER_CANCELLED'))
          if (ch === '\u007f' || ch === '\b') buffer = buffer.slice(0, -1)
          else buffer += ch
        }
      }
      const onAbort = () => {
        this.say(' (withdrawn: the application stopped waiting)')
        done(withdrawn())
      }
      const timer = setTimeout(() => done(new AgentError('ERR_USER_TIMEOUT')), this.timeoutMs)
      signal?.addEventListener('abort', onAbort, { once: true })
      input.on('data', onData)
    })
  }
}

function withdrawn(): AgentError {
  return new AgentError('ERR_USER_CANCELLED', 'the application withdrew its request')
}

function describeTries(retriesLeft: 1 | 'low'): string {
  return retriesLeft === 1 ? 'last try before the card locks' : 'few tries left before the card locks'
}

function describe(p: SignInPrompt): string {
  const action = p.purpose === 'renewal' ? 'renew the eHealth session' : 'sign in to eHealth'
  return `${describeCaller(p)} asks to ${action} as ${p.profile.label} (${p.environment}) with ${p.keySource}.`
}

/** `"MediSoft" (/usr/bin/python3.11, pid 4242, user jan, python3 medisoft.py) for https://app.example.be` */
function describeCaller(p: PromptContext): string {
  const program = p.program ?? (p.process?.executable ? { executable: p.process.executable, pid: p.process.pid, user: p.process.user, commandLine: undefined } : undefined)
  const facts = program
    ? ` (${[program.executable, program.pid !== undefined ? `pid ${program.pid}` : undefined, program.user ? `user ${program.user}` : undefined, program.commandLine].filter(Boolean).join(', ')})`
    : ' (program not known)'
  return `"${p.client}"${facts}${p.origin ? ` for the website ${p.origin}` : ''}`
}

function describeApproval(p: ApprovalPrompt): string {
  switch (p.kind) {
    case 'use':
      return `${describeCaller(p)} asks to sign a message: ${p.method}${p.endpoint ? ` to ${p.endpoint}` : ''}, operation ${p.soapAction || p.bodyRoot}, Body ${p.bodyRoot}.`
    case 'program':
      return `The credential of "${p.client}", paired for ${p.boundExecutables.join(', ')}, is used by another program: ${describeCaller(p)}. Allow that program to use it too?`
    case 'origin':
      return `${p.origin} wants to sign eHealth requests as you, through ${describeCaller({ ...p, origin: undefined })}.`
  }
}
