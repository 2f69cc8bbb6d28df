#!/usr/bin/env node
// The published entry point: the compiled CLI (built by `npm ci` through the `prepare` script).
import('../dist/agent/main.js').then((m) => m.main()).catch((err) => {
  if (err && err.code === 'ERR_MODULE_NOT_FOUND') {
    process.stderr.write('ehagent: the compiled files are missing; run `npm ci` (or `npm run build`) first.\n')
    process.exit(70)
  }
  throw err
})
