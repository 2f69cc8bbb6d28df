import type { PersonId } from '../directory-data.js'
import type { AuthMethod } from './iam-connect-provider.js'

/** How to answer the sandbox IAM Connect's pages. */
export interface SandboxPageAnswers {
  /** The directory person to sign in as. */
  person: PersonId
  /** Default `itsme`. */
  method?: AuthMethod
  /** The profile id to choose; default the preselected one (the request's profile_hint, else the first). */
  profile?: string
  /** The answer on the first-use consent page; default `accept`. */
  consent?: 'accept' | 'refuse'
}

type Fetch = (url: string, init?: RequestInit) => Promise<Response>

const MAX_STEPS = 12

/**
 * Answer the sandbox IAM Connect pages over HTTP, as a user would in a browser but without one:
 * follow the authorization URL, sign in (simulated method and person), choose the profile, answer
 * the consent page, and return the URL the provider finally sends the browser to (the client's
 * redirect URI with `code` or `error`), without requesting it. Knows the sandbox's own pages
 * (their `data-step` and form fields); it is no general-purpose scraper. For demo mode and tests.
 */
export async function walkSandboxPages(authorizationUrl: string, answers: SandboxPageAnswers, fetchImpl: Fetch = fetch): Promise<string> {
  const origin = new URL(authorizationUrl).origin
  let cookie: string | undefined
  const send = async (url: string, form?: Record<string, string>): Promise<Response> => {
    const headers = new Headers()
    if (cookie) headers.set('Cookie', cookie)
    if (form) headers.set('Content-Type', 'application/x-www-form-urlencoded')
    const res = await fetchImpl(url, { method: form ? 'POST' : 'GET', headers, redirect: 'manual', ...(form ? { body: new URLSearchParams(form).toString() } : {}) })
    for (const set of res.headers.getSetCookie()) {
      const pair = set.split(';')[0]!
      if (pair.startsWith('ehiam_session=')) cookie = pair
    }
    return res
  }

  let url = authorizationUrl
  let res = await send(url)
  for (let step = 0; step < MAX_STEPS; step++) {
    const location = res.headers.get('Location')
    if (res.status >= 300 && res.status < 400 && location) {
      await res.body?.cancel()
      url = new URL(location, url).href
      // Leaving the provider: this is the answer to the client.
      if (new URL(url).origin !== origin) return url
      res = await send(url)
      continue
    }
    const html = await res.text()
    const page = /data-step="([a-z-]+)"/.exec(html)?.[1]
    const hidden = { csrf: field(html, 'csrf'), request: field(html, 'request') }
    const action = (name: string) => new URL(/<form method="post" action="([^"]+)"/.exec(html)?.[1] ?? `/${name}`, url).href
    switch (page) {
      case 'login': {
        const method = answers.method ?? 'itsme'
        res = await send(action('authenticate'), { ...hidden, method, person: answers.person, totp: method === 'totp' ? '123456' : '' })
        break
      }
      case 'profile': {
        const choice = chooseProfile(html, answers.profile)
        res = await send(action('profile'), { ...hidden, choice })
        break
      }
      case 'consent':
        res = await send(action('consent'), { ...hidden, decision: answers.consent ?? 'accept' })
        break
      default:
        throw new Error(`IAM Connect answered ${res.status}: ${alertText(html) ?? 'an unexpected page'}`)
    }
  }
  throw new Error('IAM Connect did not finish the sign-in within the expected number of pages')
}

/**
 * An `openUrl` for the agent's demo mode (`ehagent login --with iam-connect` against `--demo`):
 * walks the pages with {@link walkSandboxPages}, then delivers the final redirect to the agent's
 * loopback listener, as the browser would.
 */
export function answerSandboxPagesAutomatically(answers: SandboxPageAnswers, fetchImpl: Fetch = fetch): (url: string) => Promise<void> {
  return async (authorizationUrl) => {
    const callback = await walkSandboxPages(authorizationUrl, answers, fetchImpl)
    const res = await fetchImpl(callback, { redirect: 'manual' })
    await res.body?.cancel()
  }
}

function field(html: string, name: string): string {
  const value = new RegExp(`name="${name}" value="([^"]*)"`).exec(html)?.[1]
  if (value === undefined) throw new Error(`IAM Connect page without its ${name} field`)
  return value
}

function chooseProfile(html: string, profile: string | undefined): string {
  const options = [...html.matchAll(/<input type="radio" name="choice" value="(\d+)" data-profile="([^"]+)"( checked)?>/g)]
  const pick = profile === undefined ? options.find((o) => o[3] !== undefined) : options.find((o) => o[2] === profile)
  if (!pick) throw new Error(`IAM Connect offers no profile "${profile ?? '(preselected)'}" to this person`)
  return pick[1]!
}

function alertText(html: string): string | undefined {
  const text = /role="alert">([^<]*)</.exec(html)?.[1]
  return text?.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&')
}
