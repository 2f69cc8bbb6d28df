import { join } from 'node:path'
import { detectBinaryFormat } from './detect-binary-format.js'
import { listTree } from './list-tree-files.js'
import { readFileHead } from './read-file-head.js'
import { runCommand } from './run-command.js'

/**
 * Strips the ELF files of a Linux tree as Debian's dh_strip does (debhelper, dh_strip(1)): the
 * comment and note sections and the static symbol table; shared objects (a Node.js addon is one)
 * also lose the symbols no relocation needs. The dynamic symbols stay, so addons still find
 * Node-API in the runtime. The official Node.js binary carries its full debugging symbols
 * (about 12 MB), which an installed agent never reads.
 */
export async function stripBinaries(treeDir: string): Promise<string[]> {
  const stripped: string[] = []
  for (const entry of listTree(treeDir)) {
    if (entry.kind !== 'file' || entry.size < 64) continue
    const path = join(treeDir, entry.path)
    if (detectBinaryFormat(readFileHead(path)) !== 'elf') continue
    const sharedObject = /\.(node|so)(\.\d+)*$/.test(entry.path)
    await runCommand('strip', ['--remove-section=.comment', '--remove-section=.note', ...(sharedObject ? ['--strip-unneeded'] : []), path])
    stripped.push(entry.path)
  }
  return stripped
}
