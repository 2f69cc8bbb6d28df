import { inflateSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import { drawPng, ICON_STATES, trayIcon, wrapInIco } from './draw-icon.js'

/** Size and raw scanlines of a PNG. */
function readPng(png: Buffer): { width: number; height: number; pixels: Buffer } {
  expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))
  let offset = 8
  let width = 0
  let height = 0
  const data: Buffer[] = []
  while (offset < png.length) {
    const length = png.readUInt32BE(offset)
    const type = png.subarray(offset + 4, offset + 8).toString('ascii')
    const body = png.subarray(offset + 8, offset + 8 + length)
    if (type === 'IHDR') {
      width = body.readUInt32BE(0)
      height = body.readUInt32BE(4)
      expect([body[8], body[9]]).toEqual([8, 6])
    }
    if (type === 'IDAT') data.push(body)
    offset += 12 + length
  }
  return { width, height, pixels: inflateSync(Buffer.concat(data)) }
}

function pixel(p: { pixels: Buffer; width: number }, x: number, y: number): number[] {
  const o = y * (p.width * 4 + 1) + 1 + x * 4
  return [...p.pixels.subarray(o, o + 4)]
}

describe('the tray icons', () => {
  it('are 32×32 RGBA PNGs: a round badge on a transparent square, one colour per state', () => {
    const centres = new Set<string>()
    for (const state of ICON_STATES) {
      const png = readPng(drawPng(state))
      expect([png.width, png.height]).toEqual([32, 32])
      expect(png.pixels.length).toBe(32 * (32 * 4 + 1))
      expect(pixel(png, 0, 0)[3]).toBe(0)
      expect(pixel(png, 16, 3)[3]).toBe(255)
      centres.add(pixel(png, 4, 16).slice(0, 3).join(','))
    }
    expect(centres.size).toBe(ICON_STATES.length)
  })

  it('Windows gets the PNG inside an ICO; the others the PNG', () => {
    const png = drawPng('error')
    const ico = wrapInIco(png)
    expect([ico.readUInt16LE(0), ico.readUInt16LE(2), ico.readUInt16LE(4), ico[6], ico[7], ico.readUInt32LE(14), ico.readUInt32LE(18)]).toEqual([0, 1, 1, 32, 32, png.length, 22])
    expect(ico.subarray(22)).toEqual(png)
    expect(Buffer.from(trayIcon('error', 'win32'), 'base64')).toEqual(ico)
    expect(Buffer.from(trayIcon('error', 'linux'), 'base64')).toEqual(png)
  })
})
