import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, readlinkSync, realpathSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir, userInfo } from 'node:os'
import { join } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { AuditRecord } from '../../protocol/rpc/methods.js'
import { launchChromium } from '../helpers/browser.js'
import { makeEnvelope } from '../helpers/envelopes.js'
import { startUiTestAgent, type UiTestAgent } from '../helpers/start-ui-test-agent.js'
import { BrowserContexts, shoot } from '../helpers/ui-browser.js'

/**
 * Who is calling, as the user sees it: a real curl and Debian's Python (apt-get install -y curl
 * python3 iproute2) talk to a real agent; the agent's pages, opened in headless Chromium, name
 * each by its executable (found by the agent in /proc, never told by the caller) on the pairing
 * page, the sign-in page and the per-use confirmation, and the privacy log records it. Each shows
 * the pairing code it computed itself, and the page shows the same. A credential copied from curl
 * to Python is refused (the page names both programs), unless the user allows it.
 */

const PYTHON = '/usr/bin/python3'
if (!existsSync('/usr/bin/curl')) throw new Error('/usr/bin/curl is missing; install it with: apt-get install -y curl')
if (!existsSync(PYTHON)) throw new Error(`${PYTHON} is missing; install it with: apt-get install -y python3`)
const CURL_EXE = realpathSync('/usr/bin/curl')
const PYTHON_EXE = realpathSync(PYTHON)
const ME = userInfo().username

const scratch = mkdtempSync(join(tmpdir(), 'callers-system-'))

// What a shell script does to pair: a random nonce, the code from it (the one-liner of
// protocol/rpc/pairing-code.ts), shown first; then curl asks for the pairing and prints the answer.
const CURL_PAIR = `set -e
nonce=$(head -c 18 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\\n')
code=$(printf '%06d' $(( 0x$(printf %s "ehealth-agent pairing code:$nonce" | sha256sum | cut -c1-8) % 1000000 )))
echo "code $code"
curl -q -sS -H 'Content-Type: application/json' --data-binary "{\\"jsonrpc\\":\\"2.0\\",\\"id\\":1,\\"method\\":\\"client.pair\\",\\"params\\":{\\"name\\":\\"Curl script\\",\\"nonce\\":\\"$nonce\\"}}" "http://127.0.0.1:$PORT/rpc"
`

// The same in Python, standard library only; `sign` signs with the credential in CRED.
const PYTHON_CLIENT = `import hashlib, json, os, secrets, sys, urllib.error, urllib.request
url = "http://127.0.0.1:%s/rpc" % os.environ["PORT"]
def rpc(method, params, credential=None):
    headers = {"Content-Type": "application/json"}
    if credential:
        headers["Authorization"] = "Bearer " + credential
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": method, "params": params}).encode()
    try:
        with urllib.request.urlopen(urllib.request.Request(url, body, headers), timeout=120) as answer:
            return json.load(answer)
    except urllib.error.HTTPError as refused:
        return json.load(refused)
if sys.argv[1] == "pair":
    nonce = secrets.token_urlsafe(18)
    code = "%06d" % (int(hashlib.sha256(("ehealth-agent pairing code:" + nonce).encode()).hexdigest()[:8], 16) % 1000000)
    print("code", code, flush=True)
    print(json.dumps(rpc("client.pair", {"name": "Python client", "nonce": nonce, "usePolicy": "ask"})), flush=True)
else:
    print(json.dumps(rpc("soap.sign", {"envelope": os.environ["ENVELOPE"]}, os.environ["CRED"])), flush=True)
`
const PY_SCRIPT = join(scratch, 'python_client.py')
writeFileSync(PY_SCRIPT, PYTHON_CLIENT)

let browser: Browser
let pages: BrowserContexts
let t: UiTestAgent

beforeAll(async () => {
  browser = await launchChromium()
  pages = new BrowserContexts(browser)
  t = await startUiTestAgent()
}, 120_000)

afterAll(async () => {
  await pages?.closeAll()
  await browser?.close()
  await t?.agent.close()
  rmSync(scratch, { recursive: true, force: true })
})

/** A client process: its pid, its stdout lines as they come, and its end. */
function start(file: string, args: string[], env: Record<string, string>) {
  const child = spawn(file, args, { env: { ...process.env, PORT: String(t.port), ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
  const lines: string[] = []
  let waiting: (() => void) | undefined
  let buffer = ''
  child.stdout!.setEncoding('utf8').on('data', (d: string) => {
    buffer += d
    const parts = buffer.split('\n')
    buffer = parts.pop()!
    lines.push(...parts)
    waiting?.()
  })
  // curl prints the answer without a final newline: what is left when the output ends is a line too.
  child.stdout!.on('end', () => {
    if (buffer !== '') lines.push(buffer)
    buffer = ''
    waiting?.()
  })
  let stderr = ''
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d))
  const ended = new Promise<number>((resolve) => child.once('close', (code) => resolve(code ?? -1)))
  return {
    child,
    async line(index: number): Promise<string> {
      while (lines.length <= index) {
        await Promise.race([new Promise<void>((r) => (waiting = r)), ended.then(() => (lines.length > index ? undefined : Promise.reject(new Error(`${file} ended early: ${stderr}`))))])
      }
      return lines[index]!
    },
    ended,
  }
}

async function openNextPrompt(): Promise<Page> {
  const link = await t.opened.next(30_000)
  const page = await pages.page()
  expect((await page.goto(link))?.status()).toBe(200)
  return page
}

/** The pid the page names for the program, and that pid's executable as /proc says it now. */
function programOnPage(text: string): { pid: number; executable: string } {
  const m = /Program\s+(\/\S+), pid (\d+), user (\S+)/.exec(text)
  expect(m, text).not.toBeNull()
  expect(m![3]).toBe(ME)
  return { pid: Number(m![2]), executable: m![1]! }
}

async function log(): Promise<AuditRecord[]> {
  await t.agent.services.audit.flush()
  return t.agent.services.audit.list({ limit: 1000 })
}

const ENVELOPE = makeEnvelope(400)
const BODY_ROOT = '{urn:be:fgov:ehealth:test:v1}ConsultRequest'
let curlCredential: string
let pythonCredential: string

describe('curl', () => {
  it('the pairing page names /usr/bin/curl, its pid and user, and shows the code the script computed', async () => {
    const script = start('sh', ['-c', CURL_PAIR], {})
    const code = (await script.line(0)).replace(/^code /, '')
    expect(code).toMatch(/^\d{6}$/)
    const page = await openNextPrompt()
    const text = await page.locator('main').innerText()
    expect(text).toContain('The application “Curl script” asks to use your eHealth session.')
    const shown = programOnPage(text)
    expect(shown.executable).toBe(CURL_EXE)
    // That pid is the curl the script started, waiting for this answer.
    expect(readlinkSync(`/proc/${shown.pid}/exe`)).toBe(CURL_EXE)
    expect(await page.locator('.pairing-code .code').innerText()).toBe(`${code.slice(0, 3)} ${code.slice(3)}`)
    expect(text).toContain('Allow only if the application shows the same code.')
    await shoot(page, 'callers-1-pairing-curl')
    await page.getByRole('button', { name: 'Allow' }).click()
    await page.getByRole('status').filter({ hasText: 'Allowed.' }).waitFor()
    const answer = JSON.parse(await script.line(1)) as { result: { credential: string; pairingCode: string } }
    expect(answer.result.pairingCode).toBe(code)
    curlCredential = answer.result.credential
  })

  it('the sign-in page names curl too, and so does the privacy log', async () => {
    // The credential on curl's command line, as a careless script would put it: never shown.
    const sign = start('curl', ['-q', '-sS', '-H', 'Content-Type: application/json', '-H', `Authorization: Bearer ${curlCredential}`, '--data-binary', JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'soap.sign', params: { envelope: ENVELOPE } }), `http://127.0.0.1:${t.port}/rpc`], {})
    const page = await openNextPrompt()
    const text = await page.locator('main').innerText()
    expect(text).toContain('“Curl script” asks to sign in to eHealth')
    expect(programOnPage(text)).toEqual({ pid: sign.child.pid, executable: CURL_EXE })
    expect(text).not.toContain(curlCredential)
    await shoot(page, 'callers-2-sign-in-curl')
    await page.getByLabel('Keystore password').fill('sandbox')
    await page.getByRole('button', { name: 'Sign in' }).click()
    const answer = JSON.parse(await sign.line(0)) as { result?: { envelope: string } }
    expect(answer.result?.envelope).toContain('wsse:Security')
    const records = await log()
    for (const event of ['client.pair', 'login', 'soap.sign']) {
      expect(records.find((r) => r.event === event), event).toMatchObject({ program: { name: 'curl', executable: CURL_EXE, user: ME } })
    }
    expect(records.find((r) => r.event === 'soap.sign')).toMatchObject({ client: { name: 'Curl script' }, program: { pid: sign.child.pid, commandLine: 'curl' } })
    expect(JSON.stringify(records)).not.toContain(curlCredential)
  })

  it('with the user’s own local credential curl is curl, not "this user"', async () => {
    const localCredential = readFileSync(t.paths.credentialFile, 'utf8').trim()
    const sign = start('curl', ['-q', '-sS', '-H', 'Content-Type: application/json', '-H', `Authorization: Bearer ${localCredential}`, '--data-binary', JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'soap.sign', params: { envelope: ENVELOPE } }), `http://127.0.0.1:${t.port}/rpc`], {})
    expect((JSON.parse(await sign.line(0)) as { result?: unknown }).result).toBeDefined()
    const record = (await log()).find((r) => r.event === 'soap.sign')
    expect(record).toMatchObject({ client: { id: 'local', name: 'curl' }, program: { executable: CURL_EXE, pid: sign.child.pid } })
  })
})

describe('Python', () => {
  it('the pairing page names the interpreter and the script, with the code Python computed', async () => {
    await t.agent.services.session.logout('user')
    const script = start(PYTHON, [PY_SCRIPT, 'pair'], {})
    const code = (await script.line(0)).replace(/^code /, '')
    const page = await openNextPrompt()
    const text = await page.locator('main').innerText()
    const shown = programOnPage(text)
    expect(shown).toEqual({ pid: script.child.pid, executable: PYTHON_EXE })
    expect(text).toContain(`python3 ${PY_SCRIPT}`)
    expect(await page.locator('.pairing-code .code').innerText()).toBe(`${code.slice(0, 3)} ${code.slice(3)}`)
    // The application suggested "ask me every time"; the user keeps it.
    await expect(page.getByLabel('ask me every time').isChecked()).resolves.toBe(true)
    await shoot(page, 'callers-3-pairing-python')
    await page.getByRole('button', { name: 'Allow' }).click()
    const answer = JSON.parse(await script.line(1)) as { result: { credential: string; pairingCode: string; usePolicy: string } }
    expect(answer.result).toMatchObject({ pairingCode: code, usePolicy: 'ask' })
    pythonCredential = answer.result.credential
  })

  it('each use is confirmed on a page naming Python, the operation and the Body root; then the sign-in page names it', async () => {
    const sign = start(PYTHON, [PY_SCRIPT, 'sign'], { CRED: pythonCredential, ENVELOPE })
    const use = await openNextPrompt()
    const useText = await use.locator('main').innerText()
    expect(useText).toContain('“Python client” asks to sign a message to eHealth with your session.')
    expect(programOnPage(useText)).toEqual({ pid: sign.child.pid, executable: PYTHON_EXE })
    expect(useText).toMatch(new RegExp(`Operation\\s+${BODY_ROOT.replace(/[{}.:]/g, '\\$&')}`))
    expect(await use.locator('.body-root').innerText()).toBe(BODY_ROOT)
    await shoot(use, 'callers-4-use-python')
    await use.getByRole('button', { name: 'Allow' }).click()
    const signIn = await openNextPrompt()
    const signInText = await signIn.locator('main').innerText()
    expect(signInText).toContain('“Python client” asks to sign in to eHealth')
    expect(programOnPage(signInText).executable).toBe(PYTHON_EXE)
    await signIn.getByLabel('Keystore password').fill('sandbox')
    await signIn.getByRole('button', { name: 'Sign in' }).click()
    expect((JSON.parse(await sign.line(0)) as { result?: { envelope: string } }).result?.envelope).toContain('wsse:Security')
    const record = (await log()).find((r) => r.event === 'soap.sign')
    expect(record).toMatchObject({ client: { name: 'Python client' }, program: { executable: PYTHON_EXE, commandLine: `python3 ${PY_SCRIPT}` } })
  })
})

describe('a credential copied to another program', () => {
  it('curl’s credential in Python: the page names both programs; refused, and logged with both', async () => {
    const copied = start(PYTHON, [PY_SCRIPT, 'sign'], { CRED: curlCredential, ENVELOPE })
    const page = await openNextPrompt()
    const text = await page.locator('main').innerText()
    expect(text).toContain('The credential of “Curl script” is used by another program than the one it was given to.')
    expect(await page.locator('.bound').innerText()).toBe(CURL_EXE)
    expect(programOnPage(text)).toEqual({ pid: copied.child.pid, executable: PYTHON_EXE })
    await shoot(page, 'callers-5-copied-credential')
    await page.getByRole('button', { name: 'Deny' }).click()
    const answer = JSON.parse(await copied.line(0)) as { error?: { data: { code: string; reason: string } } }
    expect(answer.error?.data).toMatchObject({ code: 'ERR_UNAUTHORIZED', reason: 'other-program' })
    const refused = (await log()).find((r) => r.errorCode === 'other-program')
    expect(refused).toMatchObject({ client: { name: 'Curl script' }, program: { executable: PYTHON_EXE }, pairedExecutables: [CURL_EXE], outcome: 'rejected' })
  })

  it('allowed by the user, the program is bound too and the call goes through', async () => {
    const copied = start(PYTHON, [PY_SCRIPT, 'sign'], { CRED: curlCredential, ENVELOPE })
    const page = await openNextPrompt()
    await page.getByRole('button', { name: 'Allow' }).click()
    expect((JSON.parse(await copied.line(0)) as { result?: unknown }).result).toBeDefined()
    expect(t.agent.services.clients.list().find((c) => c.name === 'Curl script')?.executables).toEqual([CURL_EXE, PYTHON_EXE])
  })
})
