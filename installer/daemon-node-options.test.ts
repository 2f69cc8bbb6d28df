import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { DAEMON_NODE_OPTIONS } from './daemon-node-options.js'
import { buildDaemonCommand, type InstallContext } from './install-context.js'

const ctx: InstallContext = { platform: 'linux', home: '/home/dr', env: {}, nodePath: '/usr/bin/node', binPath: '/opt/ehealth-agent/bin/ehagent.js' }

/** The threads of a node process started with `options`, counted by itself once it is up. */
function threadsOfNode(options: readonly string[]): number {
  const res = spawnSync(process.execPath, [...options, '-e', "setTimeout(() => console.log(require('fs').readdirSync('/proc/self/task').length), 200)"], { encoding: 'utf8' })
  expect(res.status, res.stderr).toBe(0)
  return Number(res.stdout.trim())
}

describe("the daemon's Node options", () => {
  it('come between node and bin/ehagent.js in the command the service runs, the state dir last', () => {
    expect(buildDaemonCommand(ctx)).toEqual(['/usr/bin/node', '--v8-pool-size=1', '--max-semi-space-size=8', '/opt/ehealth-agent/bin/ehagent.js', 'start'])
    expect(buildDaemonCommand({ ...ctx, stateDir: '/srv/state' })).toEqual(['/usr/bin/node', ...DAEMON_NODE_OPTIONS, ctx.binPath, 'start', '--state-dir', '/srv/state'])
  })

  it('are the ones `npm start` runs the daemon with', () => {
    const scripts = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { scripts: Record<string, string> }).scripts
    expect(scripts.start).toBe(['node', ...DAEMON_NODE_OPTIONS, 'bin/ehagent.js', 'start', '--env', 'sandbox'].join(' '))
  })

  it('are accepted by this Node and leave three V8 platform threads fewer (Linux /proc)', () => {
    const usual = threadsOfNode([])
    const daemon = threadsOfNode(DAEMON_NODE_OPTIONS)
    expect(usual - daemon).toBe(3)
  })
})
