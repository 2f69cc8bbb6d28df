/**
 * Node options the daemon (`ehagent start`) runs with wherever we start it: the service the
 * installer writes (systemd unit, launchd agent, Windows logon task), `npm start`, and the bench,
 * which measures the daemon as it runs in production.
 *
 * `--v8-pool-size=1`: one V8 platform thread (Node's default is 4) for V8's background work:
 * parallel scavenges, concurrent marking, optimizing compiles. The agent's heap is tens of MB,
 * and its parallel work is RSA in libuv's threadpool. Under load on a machine with few cores, extra V8 helpers compete
 * with the RSA threads for the cores while the main thread waits for them to join a garbage
 * collection: perf sched showed the main thread off its core for 6-7 ms while a CPU sat idle,
 * waiting for helpers that were queued behind other threads. Measured by the bench's half-rate
 * open loop on a 2-core VM, 8 runs alternated: p99 6.9-15.6 ms (median 8) with one
 * platform thread, 7.8-35 ms (median 13) with four; throughput at 16 and 64 clients the same.
 * On a terminal server it also means three threads fewer per signed-in user.
 *
 * `--max-semi-space-size=8` (MB): V8 derives the default from the heap limit, 16 MB on a 64-bit
 * machine with a few GB of memory such as this one, so a young generation half the size; on a
 * machine with little memory the default may already be smaller, and 8 MB is then a little more. With one platform thread alone, the RSS under the bench's 64-client load peaked higher
 * (139-154 MB against 140-144 with four, and 151.8 and 161.2 in two whole bench runs, over its
 * 150 MB target); each request leaves some 115 KB of short-lived garbage, and a smaller young
 * generation is swept more often and holds less of it. With both options the bench gave a peak
 * of 117.5 MB, p99 10.4 ms at half rate, and the 16- and 64-client rates of the runs before.
 */
export const DAEMON_NODE_OPTIONS: readonly string[] = ['--v8-pool-size=1', '--max-semi-space-size=8']
