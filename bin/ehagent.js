#!/usr/bin/env node
// The published entry point: the bundled CLI (dist/bundle/ehagent.js, written by `npm run build`,
// which `npm ci` runs through the `prepare` script; installer/build/bundle-programs.ts says why a
// bundle). It tells the CLI how to run this same command again, for `ehagent start --env
// sandbox`, which starts `ehagent sandbox` as a child process.
import { fileURLToPath } from 'node:url'

import('../dist/bundle/ehagent.js').then((m) => m.main({ selfCommand: [process.execPath, fileURLToPath(import.meta.url)] })).catch((err) => {
  if (err && err.code === 'ERR_MODULE_NOT_FOUND') {
    process.stderr.write('ehagent: the compiled files are missing; run `npm ci` (or `npm run build`) first.\n')
    process.exit(70)
  }
  throw err
})
