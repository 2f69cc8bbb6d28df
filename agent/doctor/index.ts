/**
 * `ehagent doctor`'s checks, as the CLI loads them (clients/cli/load-server.ts): they run the
 * agent's own code (the settings schema, the keystore reader, the PKCS#11 binding) against this
 * machine, so what the doctor finds is what the agent will meet.
 *
 * @module
 */
export { createDoctorEnvironment, type DoctorFacts } from './create-doctor-environment.js'
export type { DoctorCheck } from './doctor-check.js'
export { formatDoctorReport } from './format-doctor-report.js'
export { runDoctor } from './run-doctor.js'
