import { describe, expect, it } from 'vitest'
import type { DeskEntry } from '../../consent/prompt-desk.js'
import type { ApprovalPrompt, PairingPrompt } from '../../consent/prompter.js'
import { stringsFor } from '../i18n/strings.js'
import { renderApprovalPage } from './approval-page.js'
import { renderPairingPage } from './pairing-page.js'

const PROGRAM = { pid: 4242, executable: '/usr/bin/python3.11', name: 'python3.11', user: 'jan', commandLine: 'python3 medisoft.py' }
const entry = <Q>(question: Q, phase: 'waiting' | 'approved' = 'waiting') => ({ id: 'p1', question, createdAt: new Date(0), state: { phase } }) as unknown as DeskEntry & { question: Q }

describe('the pairing page', () => {
  const prompt: PairingPrompt = { client: 'Totally <b>Legit</b> HIS', program: PROGRAM, scopes: { methods: ['soap.sign'], services: ['*'] }, code: '042317', codeShownByApplication: true, usePolicy: 'notify' }

  it('names the program as the OS reported it, shows the code to compare and preselects the suggested policy', () => {
    const { body } = renderPairingPage(stringsFor('en'), entry({ kind: 'pairing' as const, prompt }), 'csrf-x')
    expect(body.value).toContain('/usr/bin/python3.11, pid 4242, user jan')
    expect(body.value).toContain('<code>python3 medisoft.py</code>')
    expect(body.value).toContain('<strong class="code">042 317</strong>')
    expect(body.value).toContain('Allow only if the application shows the same code.')
    expect(body.value).toMatch(/id="policy-notify" name="usePolicy" value="notify" checked/)
    // The name is the application's own words: shown, but escaped.
    expect(body.value).toContain('Totally &lt;b&gt;Legit&lt;/b&gt; HIS')
    expect(body.value).not.toContain('<b>Legit')
  })

  it('says so when the program is not known, or the application could not show the code', () => {
    const { body } = renderPairingPage(stringsFor('nl'), entry({ kind: 'pairing' as const, prompt: { ...prompt, program: undefined, codeShownByApplication: false } }), 'c')
    expect(body.value).toContain('niet bekend: het systeem zei niet welk programma dit is')
    expect(body.value).toContain('Deze toepassing toonde geen code')
  })
})

describe('the approval page', () => {
  const t = stringsFor('fr')
  it('a website: names the origin and the extension’s program', () => {
    const prompt: ApprovalPrompt = { client: 'Browser extension (x)', program: { ...PROGRAM, executable: '/usr/bin/node', name: 'node' }, kind: 'origin', clientId: 'c', origin: 'https://app.example.be' }
    const { title, body } = renderApprovalPage(t, entry({ kind: 'approval' as const, prompt }), 'c')
    expect(title).toBe('Autoriser un site web')
    expect(body.value).toContain('https://app.example.be souhaite signer des requêtes eHealth en votre nom.')
    expect(body.value).toContain('/usr/bin/node, pid 4242')
  })

  it('a copied credential: the program it was given to and the one using it', () => {
    const prompt: ApprovalPrompt = { client: 'Curl script', program: PROGRAM, kind: 'program', clientId: 'c', boundExecutables: ['/usr/bin/curl'] }
    const { body } = renderApprovalPage(stringsFor('en'), entry({ kind: 'approval' as const, prompt }), 'c')
    expect(body.value).toContain('<li>/usr/bin/curl</li>')
    expect(body.value).toContain('/usr/bin/python3.11, pid 4242')
  })

  it('one use: service, operation (SOAPAction first) and the Body root', () => {
    const prompt: ApprovalPrompt = { client: 'MediSoft', program: PROGRAM, kind: 'use', method: 'soap.call', endpoint: 'https://services.ehealth.fgov.be/x/v1', soapAction: 'urn:be:fgov:ehealth:x:getX', bodyRoot: '{urn:x}GetXRequest' }
    const { body } = renderApprovalPage(stringsFor('en'), entry({ kind: 'approval' as const, prompt }), 'c')
    expect(body.value).toContain('<dd>https://services.ehealth.fgov.be/x/v1</dd>')
    expect(body.value).toContain('<dd>urn:be:fgov:ehealth:x:getX</dd>')
    expect(body.value).toContain('<dd class="body-root">{urn:x}GetXRequest</dd>')
    const answered = renderApprovalPage(stringsFor('en'), entry({ kind: 'approval' as const, prompt }, 'approved'), 'c')
    expect(answered.body.value).not.toContain('<form')
  })
})
