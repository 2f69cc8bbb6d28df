import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { chromium, type BrowserContext } from 'playwright-core'
import { EXTENSION_ID, NATIVE_HOST_NAME } from '../../protocol/browser-extension/names.js'
import { renderHostManifest } from '../../protocol/browser-extension/render-host-manifest.js'
import { renderPosixHostWrapper } from '../../installer/render-native-host-wrapper.js'
import { renderDeploymentManifest } from '../../clients/browser-extension/render-deployment-manifest.js'
import { CHROMIUM } from './browser.js'

/** The extension directory exactly as committed: what a user loads unpacked. */
export const EXTENSION_DIR = fileURLToPath(new URL('../../clients/browser-extension/extension/', import.meta.url))

const HOST_MAIN = fileURLToPath(new URL('../../clients/browser-extension/host/main.ts', import.meta.url))
// By absolute URL: Chrome starts the host in the wrapper's directory, where a bare `tsx` would not resolve.
const TSX_LOADER = pathToFileURL(fileURLToPath(new URL('../../node_modules/tsx/dist/loader.mjs', import.meta.url))).href

/**
 * Install the native messaging host for a Chromium profile the way `ehagent install` does for a
 * user (the installer's own wrapper renderer and host manifest), except that the wrapper runs the
 * host from the TypeScript sources, so the test does not depend on a fresh `npm run build`.
 * Chromium started with `--user-data-dir=DIR` reads user-level hosts from `DIR/NativeMessagingHosts/`.
 */
export function installNativeHost(
  userDataDir: string,
  options: { stateDir: string; wrapperDir: string; extensionIds?: string[] },
): { manifest: string; wrapper: string } {
  const wrapper = join(options.wrapperDir, 'native-messaging-host')
  mkdirSync(options.wrapperDir, { recursive: true })
  writeFileSync(wrapper, renderPosixHostWrapper([process.execPath, '--import', TSX_LOADER, HOST_MAIN, '--state-dir', options.stateDir]), { mode: 0o755 })
  const dir = join(userDataDir, 'NativeMessagingHosts')
  mkdirSync(dir, { recursive: true })
  const manifest = join(dir, `${NATIVE_HOST_NAME}.json`)
  writeFileSync(manifest, renderHostManifest({ path: wrapper, extensionIds: options.extensionIds ?? [EXTENSION_ID] }))
  return { manifest, wrapper }
}

/**
 * The extension as an administrator deploys it for `origins`: the committed directory copied,
 * its manifest's `externally_connectable.matches` naming exactly those origins (the key, hence
 * the id, unchanged). With no origins: the committed extension itself, which lets no page in.
 */
export function deployExtension(origins: readonly string[]): string {
  if (origins.length === 0) return EXTENSION_DIR
  const dir = mkdtempSync(join(tmpdir(), 'extension-deployed-'))
  cpSync(EXTENSION_DIR, dir, { recursive: true })
  writeFileSync(join(dir, 'manifest.json'), renderDeploymentManifest(readFileSync(join(EXTENSION_DIR, 'manifest.json'), 'utf8'), origins))
  return dir
}

/**
 * Debian's Chromium, headless (the new headless mode, which runs extensions), with the
 * extension loaded unpacked in a persistent profile: as deployed for `origins` (see
 * deployExtension), or as committed when none are given. Playwright's default `--disable-extensions`
 * is dropped; Debian's wrapper script adds `--load-extension=` and `--disable-extensions-except=`
 * of its own, which ours, coming later on the command line, override.
 */
export async function launchChromiumWithExtension(userDataDir: string, extraArgs: string[] = [], origins: readonly string[] = []): Promise<BrowserContext> {
  const extensionDir = deployExtension(origins)
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is not installed; install it with: apt-get install -y chromium`)
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    ignoreDefaultArgs: ['--disable-extensions'],
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      `--disable-extensions-except=${extensionDir}`,
      `--load-extension=${extensionDir}`,
      ...extraArgs,
    ],
  })
  // The extension is loaded when its service worker runs, under the id its manifest key fixes.
  const worker = context.serviceWorkers().find((w) => w.url().startsWith(`chrome-extension://${EXTENSION_ID}/`)) ?? (await context.waitForEvent('serviceworker', { timeout: 15_000 }))
  if (!worker.url().startsWith(`chrome-extension://${EXTENSION_ID}/`)) {
    await context.close()
    throw new Error(`the extension loaded under another id: ${worker.url()}`)
  }
  return context
}
