import QRCode from 'qrcode'
import { escapeHtml } from './html.js'

/** Options shared by the page and by tests that recompute the code to compare. */
export const QR_OPTIONS = { type: 'svg', errorCorrectionLevel: 'M', margin: 2 } as const

/**
 * The QR code of `text` as an inline SVG element (I.AM fat-client SSO spec v1.0 §5.2: "scan a
 * QR-Code to download the token on his mobile"). Inline rather than an image URL, so the page's CSP
 * needs no img-src and the link is not sent anywhere else to be drawn.
 */
export async function renderQrSvg(text: string, label: string): Promise<string> {
  const svg = await QRCode.toString(text, QR_OPTIONS)
  return svg.replace('<svg ', `<svg role="img" aria-label="${escapeHtml(label)}" width="240" height="240" class="qr" `)
}
