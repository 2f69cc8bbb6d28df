import { join, resolve } from 'node:path'
import { expect } from 'vitest'

const ROOT = resolve(import.meta.dirname, '..', '..')

/**
 * That `npm run build` built an addon (`file` in dist/native/) and that its loader's finder sees it
 * from the module's own folder in the sources, from the bundle and from tsc's output
 * (`moduleDir`, e.g. ['agent', 'memory']). The finder's rules themselves, the folders above the
 * package included, are tested in agent/platform/native-addon.test.ts.
 */
export function expectAddonBuiltAndFound(find: (from?: string) => string | undefined, file: string, moduleDir: readonly string[]): void {
  const built = join(ROOT, 'dist', 'native', file)
  const found = find()
  if (found === undefined) throw new Error(`${built} is missing: run \`npm run build\` (it needs a C compiler: apt-get install gcc; and Node's headers)`)
  expect(found).toBe(built)
  expect(find(join(ROOT, 'dist', 'bundle'))).toBe(built)
  expect(find(join(ROOT, 'dist', ...moduleDir))).toBe(built)
}
