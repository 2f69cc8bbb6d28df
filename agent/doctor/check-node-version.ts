import { makeCheck, type DoctorCheck } from './doctor-check.js'

/** Node.js 20 or later (package.json engines; Debian 12 ships 18). */
export function checkNodeVersion(version: string): DoctorCheck {
  const major = Number(version.split('.')[0])
  if (major >= 20) return makeCheck('node', 'ok', `Node.js ${version}`)
  return makeCheck(
    'node',
    'fail',
    `Node.js ${version} is too old; ehealth-agent needs 20 or later`,
    'install Node.js 20 or later (Debian 12 ships 18: use NodeSource or your distribution\'s backports)',
  )
}
