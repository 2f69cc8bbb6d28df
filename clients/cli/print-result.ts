import { wantsJson, type CliContext } from './cli-context.js'

/** The result as JSON with `--json`, else the human text; always one trailing newline. */
export function printResult(ctx: CliContext, value: unknown, text: string): void {
  ctx.stdout.write(wantsJson(ctx) ? JSON.stringify(value, null, 2) + '\n' : text + '\n')
}
