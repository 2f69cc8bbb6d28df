import { displayPairingCode } from '../../../protocol/rpc/pairing-code.js'
import type { PromptContext } from '../../consent/prompter.js'
import { html, type Html } from '../html.js'
import type { Strings } from '../i18n/strings.js'

/**
 * The rows of a prompt's facts that say who is asking, as the operating system and the browser
 * reported it (threat T4: never as the caller describes itself): the program (executable, pid,
 * user), its command line as summarized (no options, no secrets), and the website behind a
 * browser extension. Shared by the sign-in, pairing and approval pages.
 */
export function renderCallerRows(t: Strings, p: PromptContext): Html {
  const program = p.program ?? (p.process?.executable ? { executable: p.process.executable, pid: p.process.pid, user: p.process.user, commandLine: undefined } : undefined)
  const programRow = program
    ? html`<dt>${t.callers.program}</dt><dd class="program">${t.signIn.processValue(program.executable, program.pid === undefined ? '' : String(program.pid), program.user ?? '')}</dd>`
    : html`<dt>${t.callers.program}</dt><dd class="program">${t.callers.unknownProgram}</dd>`
  const commandLine = program?.commandLine ? html`<dt>${t.callers.commandLine}</dt><dd><code>${program.commandLine}</code></dd>` : ''
  const website = p.origin !== undefined ? html`<dt>${t.callers.website}</dt><dd class="origin">${p.origin}</dd>` : ''
  return html`${website}${programRow}${commandLine}`
}

/** The pairing code, large enough to compare with what the application shows. */
export function renderPairingCode(t: Strings, code: string, shownByApplication: boolean): Html {
  return html`<div class="pairing-code"><span class="label">${t.callers.pairingCode}</span> <strong class="code">${displayPairingCode(code)}</strong><p>${shownByApplication ? t.callers.codeMatch : t.callers.codeNotShown}</p></div>`
}
