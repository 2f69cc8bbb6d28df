/**
 * Who is behind a connection to the agent, as the operating system tells it (threat T4: the name
 * an application gives itself proves nothing; 1Password and Secretive name the executable on
 * every use). Looked up once per connection by a {@link PeerIdentifier} of the platform.
 */

/** The program on the other end of a connection. */
export interface CallerProgram {
  pid: number
  /** Absolute path of the executable (`/usr/bin/curl`, `/usr/bin/python3.11`). */
  executable: string
  /** Its file name (`curl`, `python3.11`). */
  name: string
  /**
   * The program and at most its first script-like argument (`python3.11 sign.py`), cut short:
   * never an option, its value or a URL (summarize-command-line.ts). Undefined when not known.
   */
  commandLine?: string
  /** The login name of the process's owner, where known. */
  user?: string
  uid?: number
}

/** What the OS says about one connection. `uid` is the TCP peer's owner on Linux (threat T5). */
export interface PeerFacts {
  uid?: number
  program?: CallerProgram
}

/** The connection to identify: a loopback TCP peer, or an accepted Unix-socket connection. */
export type PeerConnection =
  | {
      kind: 'tcp'
      address: string
      port: number
      localPort: number
      /** Our end's address, when known: the lookup then matches the whole 4-tuple. */
      localAddress?: string
      socket: object
    }
  | { kind: 'unix'; socket: object }

/**
 * Finds the program behind a connection. One implementation per platform (Linux: /proc and ss;
 * macOS: lsof and ps; Windows: netstat and CIM); never throws: what cannot be found is left out.
 */
export interface PeerIdentifier {
  identify(connection: PeerConnection): Promise<PeerFacts>
}

/** The file name of an executable path, for either separator. */
export function programName(executable: string): string {
  const parts = executable.split(/[\\/]/)
  return parts[parts.length - 1] || executable
}
