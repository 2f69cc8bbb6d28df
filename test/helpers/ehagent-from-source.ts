/**
 * The `ehagent` command run from the TypeScript sources (`node --import tsx
 * test/helpers/ehagent-from-source.ts start …`), for tests that need the real agent in a process
 * of its own (its RSS, its sockets, its survival, its sandbox child) without depending on a fresh
 * `npm run build`. It runs the CLI's own entry point (clients/cli/main.ts), telling it to start
 * children the same way (so `ehagent start --env sandbox` starts `ehagent sandbox` from source
 * too), plus two test hooks on SIGUSR2: with `node --expose-gc`, a full garbage collection first,
 * then one line `ehagent-test-memory {process.memoryUsage()}` and one line `ehagent-test-modules
 * [...]` on stderr (the modules this process loaded: test/helpers/trace-module-loads.mjs).
 */
import { createRequire, register } from 'node:module'
import { fileURLToPath } from 'node:url'
import { MessageChannel } from 'node:worker_threads'

// Every module this process loads, as the ESM loader sees it (which includes CommonJS packages
// imported from ESM, such as node-forge), reported by a loader hook on its own thread.
const loaded = new Set<string>()
const { port1, port2 } = new MessageChannel()
port1.on('message', (url: string) => loaded.add(url))
port1.unref()
register('./trace-module-loads.mjs', import.meta.url, { data: { port: port2 }, transferList: [port2] })

process.on('SIGUSR2', () => {
  ;(globalThis as { gc?: () => void }).gc?.()
  // One line each that the test reads back: the heap after the collection, the modules loaded.
  process.stderr.write(`ehagent-test-memory ${JSON.stringify(process.memoryUsage())}\n`)
  const required = Object.keys(createRequire(import.meta.url).cache).map((path) => `file://${path}`)
  process.stderr.write(`ehagent-test-modules ${JSON.stringify([...new Set([...loaded, ...required])])}\n`)
})

// The real entry point, from source: the same wiring as `ehagent`, nothing copied.
const { main } = await import('../../clients/cli/main.js')
await main({ selfCommand: [process.execPath, '--import', 'tsx', fileURLToPath(import.meta.url)] })
