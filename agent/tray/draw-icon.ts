/**
 * The tray icons, drawn here rather than shipped as image files: a round badge whose colour and
 * mark say the state at a glance (grey ring: signed out; green tick: signed in; amber "!":
 * renewal needed; red cross: error). PNG for Linux and macOS, the same PNG inside an ICO for
 * Windows (the helper wants .ico there; ICO has carried PNG since Windows Vista).
 */
import { deflateSync } from 'node:zlib'

export const ICON_STATES = ['signed-out', 'signed-in', 'renewal-needed', 'error'] as const
export type IconState = (typeof ICON_STATES)[number]

const SIZE = 32
type Rgb = readonly [number, number, number]
type Segment = readonly [number, number, number, number]

const LOOKS: Record<IconState, { fill: Rgb; ring: boolean; mark: readonly Segment[] }> = {
  'signed-out': { fill: [120, 128, 136], ring: true, mark: [] },
  'signed-in': { fill: [46, 139, 87], ring: false, mark: [[9, 16.5, 14, 21.5], [14, 21.5, 23, 11]] },
  'renewal-needed': { fill: [214, 137, 16], ring: false, mark: [[16, 8.5, 16, 18], [16, 23, 16, 23.2]] },
  error: { fill: [192, 40, 40], ring: false, mark: [[10.5, 10.5, 21.5, 21.5], [21.5, 10.5, 10.5, 21.5]] },
}

/** The icon for `state` as the tray helper wants it on `platform`: base64 of PNG or ICO bytes. */
export function trayIcon(state: IconState, platform: string): string {
  const png = drawPng(state)
  return (platform === 'win32' ? wrapInIco(png) : png).toString('base64')
}

/** A 32×32 RGBA PNG of the badge. */
export function drawPng(state: IconState): Buffer {
  const look = LOOKS[state]
  const row = SIZE * 4 + 1
  const raw = Buffer.alloc(row * SIZE)
  for (let y = 0; y < SIZE; y++) {
    raw[y * row] = 0 // filter: none
    for (let x = 0; x < SIZE; x++) {
      const px = x + 0.5
      const py = y + 0.5
      const r = Math.hypot(px - 16, py - 16)
      // Coverage of the disc, anti-aliased over one pixel.
      const disc = clamp(14.5 - r)
      let white = 0
      if (look.ring) white = Math.max(white, clamp(1.75 - Math.abs(r - 9)))
      for (const [x1, y1, x2, y2] of look.mark) white = Math.max(white, clamp(2.25 - distanceToSegment(px, py, x1, y1, x2, y2)))
      const o = y * row + 1 + x * 4
      for (let c = 0; c < 3; c++) raw[o + c] = Math.round(look.fill[c]! * (1 - white) + 255 * white)
      raw[o + 3] = Math.round(255 * disc)
    }
  }
  const header = Buffer.alloc(13)
  header.writeUInt32BE(SIZE, 0)
  header.writeUInt32BE(SIZE, 4)
  header[8] = 8 // bit depth
  header[9] = 6 // colour type: RGBA
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ])
}

/** An ICO file holding one PNG image (ICONDIR + one ICONDIRENTRY + the PNG). */
export function wrapInIco(png: Buffer): Buffer {
  const head = Buffer.alloc(22)
  head.writeUInt16LE(0, 0) // reserved
  head.writeUInt16LE(1, 2) // type: icon
  head.writeUInt16LE(1, 4) // one image
  head[6] = SIZE
  head[7] = SIZE
  head[8] = 0 // no palette
  head[9] = 0
  head.writeUInt16LE(1, 10) // colour planes
  head.writeUInt16LE(32, 12) // bits per pixel
  head.writeUInt32LE(png.length, 14)
  head.writeUInt32LE(22, 18) // offset of the image
  return Buffer.concat([head, png])
}

function clamp(v: number): number {
  return v <= 0 ? 0 : v >= 1 ? 1 : v
}

function distanceToSegment(px: number, py: number, x1: number, y1: number, x2: number, y2: number): number {
  const dx = x2 - x1
  const dy = y2 - y1
  const length2 = dx * dx + dy * dy
  const t = length2 === 0 ? 0 : clamp(((px - x1) * dx + (py - y1) * dy) / length2)
  return Math.hypot(px - (x1 + t * dx), py - (y1 + t * dy))
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
  return c >>> 0
})

function crc32(bytes: Buffer): number {
  let c = 0xffffffff
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8)
  return (c ^ 0xffffffff) >>> 0
}

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4)
  length.writeUInt32BE(data.length)
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data])
  const crc = Buffer.alloc(4)
  crc.writeUInt32BE(crc32(body))
  return Buffer.concat([length, body, crc])
}
