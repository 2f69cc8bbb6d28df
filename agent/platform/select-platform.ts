import { darwinPlatform } from './darwin.js'
import { linuxPlatform } from './linux.js'
import type { Platform } from './platform.js'
import { win32Platform } from './win32.js'

const PLATFORMS: Record<string, Platform> = { linux: linuxPlatform, darwin: darwinPlatform, win32: win32Platform }

/**
 * The platform object for a `process.platform` value. Other Unix systems (the BSDs) get Linux's
 * choices: the same FHS paths and xdg-open; only Linux, macOS and Windows are supported.
 */
export function selectPlatform(id: string): Platform {
  return PLATFORMS[id] ?? linuxPlatform
}
