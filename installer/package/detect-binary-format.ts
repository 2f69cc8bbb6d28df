/** Executable formats told apart by their first bytes. */
export type BinaryFormat = 'elf' | 'pe' | 'mach-o'

/** How many leading bytes {@link detectBinaryFormat} needs to see. */
export const BINARY_HEAD_BYTES = 1024

/**
 * The executable format of a file from its first bytes: ELF (`\x7fELF`, System V gABI §4),
 * PE (the `MZ` DOS stub, then `PE\0\0` at the offset stored at 0x3c: Microsoft PE Format,
 * "MS-DOS Stub" and "Signature"), Mach-O (magic 0xfeedface / 0xfeedfacf in either byte order,
 * <mach-o/loader.h>). A universal Mach-O starts with 0xcafebabe, which Java class files share,
 * so it is not guessed.
 */
export function detectBinaryFormat(head: Uint8Array): BinaryFormat | undefined {
  if (head.length >= 4 && head[0] === 0x7f && head[1] === 0x45 && head[2] === 0x4c && head[3] === 0x46) return 'elf'
  if (head.length >= 0x40 && head[0] === 0x4d && head[1] === 0x5a) {
    const offset = head[0x3c]! | (head[0x3d]! << 8) | (head[0x3e]! << 16) | (head[0x3f]! << 24)
    if (offset >= 0x40 && offset + 4 <= head.length && head[offset] === 0x50 && head[offset + 1] === 0x45 && head[offset + 2] === 0 && head[offset + 3] === 0) return 'pe'
  }
  if (head.length >= 4) {
    const be = ((head[0]! << 24) | (head[1]! << 16) | (head[2]! << 8) | head[3]!) >>> 0
    const le = ((head[3]! << 24) | (head[2]! << 16) | (head[1]! << 8) | head[0]!) >>> 0
    if ([0xfeedface, 0xfeedfacf].includes(be) || [0xfeedface, 0xfeedfacf].includes(le)) return 'mach-o'
  }
  return undefined
}

/** The one format that runs on each target OS. */
export const NATIVE_FORMAT: Record<'linux' | 'win32', BinaryFormat> = { linux: 'elf', win32: 'pe' }
