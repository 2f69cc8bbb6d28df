import { describe, expect, it } from 'vitest'
import { splitWindowsCommandLine, summarizeCommandLine } from './summarize-command-line.js'

describe('summarizeCommandLine', () => {
  it('shows the program and a script it runs', () => {
    expect(summarizeCommandLine(['/usr/bin/python3', 'sign_envelope.py'])).toBe('python3 sign_envelope.py')
    expect(summarizeCommandLine(['python3', '-u', './tools/sign.py', 'request.xml'])).toBe('python3 ./tools/sign.py')
    expect(summarizeCommandLine(['java', '-jar', 'medisoft.jar'])).toBe('java medisoft.jar')
    expect(summarizeCommandLine(['node', '/opt/app/bin/ehagent.js', 'pair', '--name', 'x'])).toBe('node /opt/app/bin/ehagent.js')
  })

  it('never shows an option, its value, a URL or text with spaces', () => {
    expect(summarizeCommandLine(['curl', '-s', '-H', 'Authorization: Bearer abcdefghijklmnopqrstuvwxyz0123456789', 'http://127.0.0.1:4752/rpc'])).toBe('curl')
    expect(summarizeCommandLine(['curl', '--data-binary', '@request.json', 'http://127.0.0.1:4752/rpc'])).toBe('curl')
    expect(summarizeCommandLine(['python3', '-c', 'import os; print(os.environ["TOKEN"])'])).toBe('python3')
    expect(summarizeCommandLine(['tool', '--password=hunter2.txt'])).toBe('tool')
    expect(summarizeCommandLine(['tool', 'user=admin.cfg'])).toBe('tool')
  })

  it('stops at the first positional argument: what follows a non-file is never looked at', () => {
    // `secret` may be the value of `--token`: the summary cannot know, so it shows nothing after it.
    expect(summarizeCommandLine(['tool', '--token', 'secret', 'script.py'])).toBe('tool')
  })

  it('leaves out a token-like argument even when it looks like a path', () => {
    expect(summarizeCommandLine(['tool', 'Zx8fQ2pL0aB7cD9eF1gH3iJ5kL.key'])).toBe('tool')
    expect(summarizeCommandLine(['tool', 'abc/DEF0123456789ghijKLMNOPqrst/xyz'])).toBe('tool')
  })

  it('cuts long summaries, keeping the end of a script path', () => {
    const deep = '/srv/' + 'a/'.repeat(80) + 'sign.py'
    const summary = summarizeCommandLine(['python3', deep])!
    expect(summary.length).toBeLessThanOrEqual(120)
    expect(summary).toMatch(/^python3 …/)
    expect(summary.endsWith('/sign.py')).toBe(true)
  })

  it('replaces control characters, and has nothing to say about an empty command line', () => {
    expect(summarizeCommandLine(['evil\u001b[2Jname'])).toBe('evil?[2Jname')
    expect(summarizeCommandLine([])).toBeUndefined()
    expect(summarizeCommandLine([''])).toBeUndefined()
  })
})

describe('splitWindowsCommandLine', () => {
  it('splits on spaces and keeps quoted paths whole', () => {
    expect(splitWindowsCommandLine('"C:\\Program Files\\Python311\\python.exe" -u C:\\tools\\sign.py --token x')).toEqual([
      'C:\\Program Files\\Python311\\python.exe',
      '-u',
      'C:\\tools\\sign.py',
      '--token',
      'x',
    ])
    expect(splitWindowsCommandLine('curl.exe  -H "Authorization: Bearer \\"x\\""')).toEqual(['curl.exe', '-H', 'Authorization: Bearer "x"'])
    expect(splitWindowsCommandLine('')).toEqual([])
  })

  it('gives a summary without the Program Files path', () => {
    expect(summarizeCommandLine(splitWindowsCommandLine('"C:\\Program Files\\Python311\\python.exe" sign.py'))).toBe('python.exe sign.py')
  })
})
