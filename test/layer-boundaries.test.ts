import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { checkFile, findImports, layerOf, LAYERS, LOADER, readSources, type SourceFile } from './helpers/layer-rules.js'

// The dependency lines (test/helpers/layer-rules.ts): protocol/ is shared by everyone and imports
// nothing else; the daemon never reaches the sandbox, the clients or the installer; the sandbox is
// a program of its own on protocol/ alone; the clients and the installer import protocol/ and
// their own code, and only the CLI's loader may load the daemon, the sandbox and the installer,
// at run time.
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..')
const sources = readSources(ROOT)

describe('the dependency lines hold in the sources', () => {
  it('reads the sources of every layer, the loader among them', () => {
    const paths = sources.map((s) => s.path)
    for (const layer of LAYERS) expect(paths.filter((p) => layerOf(p) === layer).length, layer).toBeGreaterThan(5)
    expect(paths).toEqual(expect.arrayContaining([LOADER, 'agent/main.ts', 'agent/sandbox/main.ts', 'clients/cli/main.ts', 'clients/js/index.ts', 'installer/index.ts']))
    expect(paths.some((p) => p.endsWith('.test.ts'))).toBe(false)
  })

  it.each(LAYERS.map((layer) => [layer]))('%s crosses no line', (layer) => {
    const violations = sources.filter((s) => layerOf(s.path) === layer).flatMap(checkFile)
    expect(violations.map((v) => `${v.file}:${v.line} ${v.specifier}: ${v.problem}`)).toEqual([])
  })

  it('the loader is the one file of clients/ that reaches the daemon, the sandbox and the installer, by dynamic import', () => {
    const loader = sources.find((s) => s.path === LOADER)!
    const targets = findImports(loader.text).filter((u) => u.dynamic).map((u) => u.specifier)
    expect(targets).toEqual(['../../agent/main.js', '../../agent/sandbox/main.js', '../../agent/doctor/index.js', '../../installer/index.js'])
    expect(findImports(loader.text).filter((u) => !u.dynamic)).toEqual([])
    // Nowhere else in clients/ does a path outside clients/ and protocol/ appear in an import.
    const elsewhere = sources.filter((s) => layerOf(s.path) === 'clients' && s.path !== LOADER).flatMap((s) => findImports(s.text).map((u) => `${s.path}: ${u.specifier}`))
    expect(elsewhere.filter((line) => /\/(agent|installer)\//.test(line))).toEqual([])
  })
})

/** Violations of one synthetic file. */
const check = (path: string, text: string) => checkFile({ path, text } satisfies SourceFile).map((v) => v.problem)

describe('the checker catches each kind of crossing (synthetic sources)', () => {
  it.each([
    ['protocol → agent', 'protocol/xml/x.ts', `import { KeyRing } from '../../agent/keys/key-ring.js'`, /protocol\/ may not import agent\//],
    ['protocol → clients', 'protocol/x.ts', `import { AgentClient } from '../clients/js/index.js'`, /protocol\/ may not import clients\//],
    ['daemon → sandbox, static', 'agent/start-agent.ts', `import { startSandbox } from './sandbox/server.js'`, /agent\/ \(outside agent\/sandbox\/\) may not import agent\/sandbox\//],
    ['daemon → sandbox, dynamic', 'agent/main.ts', `const { startSandbox } = await import('./sandbox/server.js')`, /may not import agent\/sandbox\//],
    ['daemon → sandbox, type-only', 'agent/x/y.ts', `import type { SandboxState } from '../sandbox/sandbox-state.js'`, /may not import agent\/sandbox\//],
    ['daemon → clients', 'agent/main.ts', `import { runCli } from '../clients/cli/run-cli.js'`, /may not import clients\//],
    ['daemon → installer', 'agent/doctor/x.ts', `export { planInstall } from '../../installer/plan-install.js'`, /may not import installer\//],
    ['sandbox → daemon', 'agent/sandbox/sts/x.ts', `import {\n  openPkcs12,\n} from '../../keys/open-pkcs12.js'`, /agent\/sandbox\/ may not import agent\/ \(outside/],
    ['sandbox → clients', 'agent/sandbox/x.ts', `import '../../clients/js/index.js'`, /may not import clients\//],
    ['clients → daemon, static', 'clients/cli/commands/start.ts', `import { startAgent } from '../../../agent/start-agent.js'`, /only clients\/cli\/load-server\.ts may load it/],
    ['clients → daemon, dynamic outside the loader', 'clients/cli/commands/start.ts', `const m = await import('../../../agent/main.js')`, /only clients\/cli\/load-server\.ts may load it/],
    ['clients → sandbox, typeof import outside the loader', 'clients/cli/x.ts', `type S = typeof import('../../agent/sandbox/main.js')`, /may not import agent\/sandbox\//],
    ['the loader, statically', LOADER, `import { runAgent } from '../../agent/main.js'`, /only clients\/cli\/load-server\.ts may load it, by dynamic import/],
    ['the loader, a test file', LOADER, `export const x = () => import('../../test/helpers/envelopes.js')`, /may not import test\/helpers/],
    ['clients → installer', 'clients/browser-extension/host/x.ts', `import { planInstall } from '../../../installer/plan-install.js'`, /may not import installer\//],
    ['installer → clients', 'installer/plan-install.ts', `import { EXTENSION_ID } from '../clients/browser-extension/extension-id.js'`, /installer\/ may not import clients\//],
    ['installer → agent', 'installer/x.ts', `const { loadConfig } = require('../agent/config.js')`, /installer\/ may not import agent\//],
    ['a computed dynamic import', 'agent/main.ts', 'const m = await import(`./${name}.js`)', /computed specifier/],
    ['an absolute path', 'clients/js/x.ts', `import x from '/work/agent/main.js'`, /absolute path/],
  ])('%s', (_what, path, text, problem) => {
    const problems = check(path, text)
    expect(problems).toHaveLength(1)
    expect(problems[0]).toMatch(problem)
  })

  it('and lets through what is allowed', () => {
    expect(check('agent/start-agent.ts', `import { AgentError } from '../protocol/errors.js'\nimport { KeyRing } from './keys/key-ring.js'\nimport { z } from 'zod'`)).toEqual([])
    expect(check('agent/sandbox/server.ts', `import { serve } from '@hono/node-server'\nimport { SANDBOX_PATHS } from '../../protocol/environments.js'\nimport { x } from './pki/index.js'`)).toEqual([])
    expect(check(LOADER, `export const loadDaemon = () => import('../../agent/main.js')\nexport const loadInstaller = () => import('../../installer/index.js')`)).toEqual([])
    expect(check('installer/plan-install.ts', `import { EXTENSION_ID } from '../protocol/browser-extension/names.js'`)).toEqual([])
    // Prose and examples in comments are not imports.
    expect(check('clients/js/node.ts', `/**\n * import { startAgent } from '../../agent/start-agent.js'\n */\n// await import('../../agent/main.js')\nexport {}`)).toEqual([])
  })
})
