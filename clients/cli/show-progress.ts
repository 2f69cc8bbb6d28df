import type { CliContext } from './cli-context.js'

/**
 * Progress for anything that waits (the user typing a PIN in the agent's window, the STS round
 * trip), on stderr so stdout stays the result. On a terminal the line counts the seconds; in a
 * log it is one line when the wait starts and one when it ends.
 */
export async function showProgress<T>(ctx: CliContext, message: string, work: Promise<T>): Promise<T> {
  const started = Date.now()
  const tty = ctx.stderr.isTTY === true
  const seconds = () => ((Date.now() - started) / 1000).toFixed(tty ? 0 : 1)
  ctx.stderr.write(tty ? `${message} ` : `${message}\n`)
  const timer = tty ? setInterval(() => ctx.stderr.write(`\r${message} ${seconds()} s`), 1000) : undefined
  timer?.unref()
  try {
    const result = await work
    ctx.stderr.write(tty ? `\r${message} done (${seconds()} s)\n` : `  done (${seconds()} s)\n`)
    return result
  } catch (err) {
    ctx.stderr.write(tty ? `\r${message} failed (${seconds()} s)\n` : `  failed (${seconds()} s)\n`)
    throw err
  } finally {
    if (timer) clearInterval(timer)
  }
}
