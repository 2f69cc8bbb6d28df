import { mkdtempSync, openSync, closeSync, readFileSync, rmSync, unlinkSync } from 'node:fs'
import { open, type FileHandle } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { appendDurably, liveFileFlags, WRITES_ARE_SYNCED } from './durable-append.js'

let dir: string
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'durable-append-'))
})
afterEach(() => rmSync(dir, { recursive: true, force: true }))

/** The open flags the kernel holds for `fd` (proc(5), /proc/pid/fdinfo: "flags", octal). */
function kernelFlags(fd: number): number {
  const line = readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('flags:'))
  if (!line) throw new Error(`no flags line in /proc/self/fdinfo/${fd}`)
  return parseInt(line.slice('flags:'.length).trim(), 8)
}

/** O_DSYNC as Linux's asm-generic/fcntl.h defines it (00010000), not as Node reports it. */
const LINUX_O_DSYNC = 0o10000

describe('the live file flags', () => {
  it('on Linux the live file is O_DSYNC by default, as the kernel reports it', () => {
    expect(process.platform, 'the open flags are read back from /proc: this test needs Linux').toBe('linux')
    expect(WRITES_ARE_SYNCED).toBe(true)
    const synced = openSync(join(dir, 'a.jsonl'), liveFileFlags(true, true), 0o600)
    const plain = openSync(join(dir, 'b.jsonl'), liveFileFlags(true, false), 0o600)
    try {
      expect(kernelFlags(synced) & LINUX_O_DSYNC).toBe(LINUX_O_DSYNC)
      expect(kernelFlags(plain) & LINUX_O_DSYNC).toBe(0)
    } finally {
      closeSync(synced)
      closeSync(plain)
    }
  })

  it('exclusive creation refuses an existing file; the other flags reopen it for appending', () => {
    closeSync(openSync(join(dir, 'a.jsonl'), liveFileFlags(true, true), 0o600))
    expect(() => openSync(join(dir, 'a.jsonl'), liveFileFlags(true, true))).toThrow(expect.objectContaining({ code: 'EEXIST' }))
    closeSync(openSync(join(dir, 'a.jsonl'), liveFileFlags(false, true)))
  })
})

describe.each([true, false])('appendDurably (synced: %s)', (synced) => {
  it('appends at the end, after what the file held', async () => {
    const path = join(dir, 'audit.jsonl')
    const handle = await open(path, liveFileFlags(true, synced), 0o600)
    try {
      await appendDurably(handle, Buffer.from('{"a":1}\n'), synced)
      await appendDurably(handle, Buffer.from('{"b":2}\n'), synced)
    } finally {
      await handle.close()
    }
    const again = await open(path, liveFileFlags(false, synced))
    try {
      await appendDurably(again, Buffer.from('{"c":3}\n'), synced)
    } finally {
      await again.close()
    }
    expect(readFileSync(path, 'utf8')).toBe('{"a":1}\n{"b":2}\n{"c":3}\n')
  })

  it('refuses with ERR_AUDIT_UNAVAILABLE once the file has no name left', async () => {
    const path = join(dir, 'audit.jsonl')
    const handle = await open(path, liveFileFlags(true, synced), 0o600)
    try {
      unlinkSync(path)
      await expect(appendDurably(handle, Buffer.from('{"a":1}\n'), synced)).rejects.toMatchObject({ code: 'ERR_AUDIT_UNAVAILABLE', data: { reason: 'file deleted' } })
    } finally {
      await handle.close()
    }
  })
})

describe('appendDurably: the order of its steps', () => {
  /** A handle that logs its calls; the file loses its last name while the write runs. */
  function handleDeletedDuringWrite() {
    const calls: string[] = []
    let nlink = 1
    const handle = {
      write: async (data: Buffer) => {
        calls.push('write')
        await new Promise((r) => setTimeout(r, 5))
        nlink = 0 // the directory was deleted while the write ran
        return { bytesWritten: data.length }
      },
      datasync: async () => void calls.push('datasync'),
      stat: async () => (calls.push('stat'), { nlink }),
    }
    return { calls, handle: handle as unknown as FileHandle }
  }

  it('write, fdatasync, then the unlink check; O_DSYNC: write, then the check; a file deleted during the write is noticed', async () => {
    const plain = handleDeletedDuringWrite()
    await expect(appendDurably(plain.handle, Buffer.from('{"a":1}\n'), false)).rejects.toMatchObject({ code: 'ERR_AUDIT_UNAVAILABLE' })
    expect(plain.calls).toEqual(['write', 'datasync', 'stat'])
    const synced = handleDeletedDuringWrite()
    await expect(appendDurably(synced.handle, Buffer.from('{"a":1}\n'), true)).rejects.toMatchObject({ code: 'ERR_AUDIT_UNAVAILABLE' })
    expect(synced.calls).toEqual(['write', 'stat'])
  })
})
