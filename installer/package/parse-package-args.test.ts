import { describe, expect, it } from 'vitest'
import { parsePackageArgs } from './parse-package-args.js'

const defaults = { nodeVersion: '20.20.2', cacheDir: '/repo/.package-cache' }

describe('npm run package -- …', () => {
  it('builds every package by default, from the running Node.js version, into --out', () => {
    expect(parsePackageArgs(['--out', 'dist-packages'], defaults)).toEqual({ outDir: 'dist-packages', targets: ['deb', 'npm', 'msi'], nodeVersion: '20.20.2', cacheDir: '/repo/.package-cache' })
  })

  it('takes --only, --node-version, --cache and --maintainer, with a blank or an =', () => {
    expect(parsePackageArgs(['--out=o', '--only', 'deb,msi', '--node-version=20.19.0', '--cache', '/c', '--maintainer', 'Jan Peeters <jan@example.be>'], defaults)).toEqual({
      outDir: 'o',
      targets: ['deb', 'msi'],
      nodeVersion: '20.19.0',
      cacheDir: '/c',
      maintainer: 'Jan Peeters <jan@example.be>',
    })
  })

  it('names the mistake', () => {
    expect(() => parsePackageArgs([], defaults)).toThrow(/--out DIR is required/)
    expect(() => parsePackageArgs(['--out'], defaults)).toThrow(/--out needs a value/)
    expect(() => parsePackageArgs(['--out', 'o', '--only', 'deb,rpm'], defaults)).toThrow(/unknown package "rpm"/)
    expect(() => parsePackageArgs(['--out', 'o', '--node-version', '20'], defaults)).toThrow(/not a version/)
    expect(() => parsePackageArgs(['--out', 'o', '--maintainer', 'jan@example.be'], defaults)).toThrow(/Name <email>/)
    expect(() => parsePackageArgs(['--out', 'o', 'extra'], defaults)).toThrow(/unknown argument "extra"/)
  })
})
