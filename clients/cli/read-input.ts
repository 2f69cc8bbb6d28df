import { readFile } from 'node:fs/promises'
import { UsageError, type CliContext } from './cli-context.js'

/** A file argument's text; `-` reads standard input. A missing file is a usage error, not a crash. */
export async function readInput(ctx: CliContext, file: string): Promise<string> {
  if (file === '-') {
    const chunks: Buffer[] = []
    for await (const chunk of ctx.stdin) chunks.push(chunk as Buffer)
    return Buffer.concat(chunks).toString('utf8')
  }
  try {
    return await readFile(file, 'utf8')
  } catch (err) {
    throw new UsageError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`)
  }
}
