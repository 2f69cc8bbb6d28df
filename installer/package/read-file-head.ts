import { closeSync, openSync, readSync } from 'node:fs'
import { BINARY_HEAD_BYTES } from './detect-binary-format.js'

/** The first bytes of a file (enough for detectBinaryFormat and a `#!` line), without reading it all. */
export function readFileHead(path: string, bytes: number = BINARY_HEAD_BYTES): Buffer {
  const fd = openSync(path, 'r')
  try {
    const head = Buffer.alloc(bytes)
    return head.subarray(0, readSync(fd, head, 0, bytes, 0))
  } finally {
    closeSync(fd)
  }
}
