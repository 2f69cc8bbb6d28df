import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { open } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { fileLinesBackward, linesBackward, recordTimeRange } from './read-lines.js'

describe('reading privacy-log files from the end', () => {
  const lines = Array.from({ length: 300 }, (_, i) => JSON.stringify({ time: new Date(Date.UTC(2025, 0, 1, 0, 0, i)).toISOString(), n: i, name: 'é€😀'.repeat(i % 7) }))
  const text = lines.join('\n') + '\n'

  it('yields the lines last first, from a buffer', () => {
    expect([...linesBackward(Buffer.from(text))]).toEqual([...lines].reverse())
    expect([...linesBackward(Buffer.from('a\n\nb'))]).toEqual(['b', 'a'])
  })

  it('yields the same from a file read in chunks of any size, multi-byte characters across chunk edges included', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'read-lines-'))
    try {
      writeFileSync(join(dir, 'f'), text + 'torn tail')
      const handle = await open(join(dir, 'f'), 'r')
      try {
        const size = Buffer.byteLength(text + 'torn tail')
        for (const chunk of [1, 2, 3, 7, 64, 1000, 65_536]) {
          const got: string[] = []
          for await (const line of fileLinesBackward(handle, size, chunk)) got.push(line)
          expect(got, `chunk ${chunk}`).toEqual(['torn tail', ...[...lines].reverse()])
        }
        // Only the first `size` bytes: what was synced when the reader started.
        const got: string[] = []
        for await (const line of fileLinesBackward(handle, Buffer.byteLength(lines[0]! + '\n'), 5)) got.push(line)
        expect(got).toEqual([lines[0]])
      } finally {
        await handle.close()
      }
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('finds the oldest and newest record time, out of order too, ignoring a torn last line and foreign lines', () => {
    const shuffled = [lines[5]!, lines[2]!, lines[9]!, 'not json', '{"n":1}', JSON.stringify({ n: 2, time: '2024-12-31T00:00:00.000Z' })].join('\n') + '\n' + lines[0]!
    expect(recordTimeRange(Buffer.from(shuffled))).toEqual({ oldest: Date.parse('2024-12-31T00:00:00.000Z'), newest: Date.UTC(2025, 0, 1, 0, 0, 9), records: 4 })
    expect(recordTimeRange(Buffer.alloc(0))).toEqual({ oldest: Number.POSITIVE_INFINITY, newest: Number.NEGATIVE_INFINITY, records: 0 })
  })
})
