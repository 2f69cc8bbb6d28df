/**
 * The `ehagent` command run from the TypeScript sources (`node --import tsx
 * test/helpers/ehagent-from-source.ts start …`), for tests that need the real agent in a process
 * of its own (its RSS, its sockets, its survival) without depending on a fresh `npm run build`.
 * It runs agent/main.ts's own main(), plus one test hook: with `node --expose-gc`, SIGUSR2 runs a full garbage collection
 * and prints `ehagent-test-memory {process.memoryUsage()}` on stderr, so a memory reading is not
 * at the mercy of when V8 last collected.
 */

const gc = (globalThis as { gc?: () => void }).gc
if (gc) {
  process.on('SIGUSR2', () => {
    gc()
    // One line the test reads back: the heap after the collection.
    process.stderr.write(`ehagent-test-memory ${JSON.stringify(process.memoryUsage())}\n`)
  })
}

// The real entry point, from source: the same wiring as `ehagent`, nothing copied.
const { main } = await import('../../agent/main.js')
await main()
