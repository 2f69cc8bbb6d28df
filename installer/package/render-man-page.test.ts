import { describe, expect, it } from 'vitest'
import { renderManPage } from './render-man-page.js'

describe('renderManPage', () => {
  it('puts the help text in a no-fill block with requests and escapes neutralised', () => {
    const page = renderManPage({
      command: 'ehagent',
      name: 'ehealth-agent',
      version: '0.1.0',
      summary: 'background agent for the Belgian eHealth platform',
      date: new Date(Date.UTC(2026, 11, 6)),
      usage: "usage: ehagent <command>\n.start looks like a request\n'quote too\npath C:\\x --flag\n\n",
      readme: '/usr/lib/ehealth-agent/README.md',
    })
    const lines = page.split('\n')
    expect(lines[0]).toBe('.TH EHAGENT 1 2026-12-06 "ehealth-agent 0.1.0" "User Commands"')
    expect(lines).toContain('ehagent \\- background agent for the Belgian eHealth platform')
    const block = lines.slice(lines.indexOf('.nf') + 1, lines.indexOf('.fi'))
    expect(block).toEqual(['usage: ehagent <command>', '\\&.start looks like a request', "\\&'quote too", 'path C:\\ex \\-\\-flag'])
  })
})
