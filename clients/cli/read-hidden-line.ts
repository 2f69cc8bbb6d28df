/** A terminal that can read without echo. */
export interface HiddenInput {
  input: NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?: (raw: boolean) => unknown }
  output: NodeJS.WritableStream
}

/**
 * Ask one question and read the answer without echo (raw mode): for the keystore password that
 * `ehagent doctor` checks locally. Ctrl-C or Ctrl-D give an empty answer (skip).
 */
export function readHiddenLine(terminal: HiddenInput, question: string): Promise<string> {
  const { input, output } = terminal
  output.write(question)
  return new Promise((resolve) => {
    let buffer = ''
    const raw = typeof input.setRawMode === 'function'
    if (raw) input.setRawMode!(true)
    input.resume()
    const finish = (value: string) => {
      input.off('data', onData)
      if (raw) input.setRawMode!(false)
      input.pause()
      output.write('\n')
      resolve(value)
    }
    const onData = (chunk: Buffer | string) => {
      for (const ch of chunk.toString()) {
        if (ch === '\r' || ch === '\n') return finish(buffer)
        if (ch === '\u0003' || ch === '\u0004') return finish('')
        if (ch === '\u007f' || ch === '\b') buffer = buffer.slice(0, -1)
        else buffer += ch
      }
    }
    input.on('data', onData)
  })
}
