import { escapeXml } from './escape-xml.js'

/** The values a property list holds (Apple's PropertyList-1.0 DTD, the subset we need). */
export type PlistValue = string | number | boolean | PlistValue[] | { [key: string]: PlistValue }

/** A property list document in Apple's XML format, keys in the order given, tab-indented as plutil writes. */
export function renderPlist(root: { [key: string]: PlistValue }): string {
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">',
    '<plist version="1.0">',
    ...renderValue(root, ''),
    '</plist>',
    '',
  ].join('\n')
}

function renderValue(value: PlistValue, indent: string): string[] {
  if (typeof value === 'string') return [`${indent}<string>${escapeXml(value)}</string>`]
  if (typeof value === 'boolean') return [`${indent}<${value}/>`]
  if (typeof value === 'number') {
    if (!Number.isInteger(value)) throw new Error('plist: only integers are used here')
    return [`${indent}<integer>${value}</integer>`]
  }
  if (Array.isArray(value)) return [`${indent}<array>`, ...value.flatMap((v) => renderValue(v, indent + '\t')), `${indent}</array>`]
  return [
    `${indent}<dict>`,
    ...Object.entries(value).flatMap(([k, v]) => [`${indent}\t<key>${escapeXml(k)}</key>`, ...renderValue(v, indent + '\t')]),
    `${indent}</dict>`,
  ]
}
