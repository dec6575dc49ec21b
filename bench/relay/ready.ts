// The bench's server processes (servers.ts) print `READY <url> <key>` once listening; run.ts and
// instructions.ts both wait for that line.
import type { ChildProcess } from 'node:child_process'

/** The url and key a server process announced; rejects if it exits first or takes over `timeoutMs`. */
export function serverReady(
  child: ChildProcess,
  mode: string,
  timeoutMs: number,
): Promise<{ url: string; key: string }> {
  return new Promise((resolve, reject) => {
    let out = ''
    const timer = setTimeout(() => reject(new Error(`${mode} server did not start`)), timeoutMs)
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString()
      const m = /READY (\S+) (\S+)/.exec(out)
      if (m) {
        clearTimeout(timer)
        resolve({ url: m[1] as string, key: m[2] as string })
      }
    })
    child.once('exit', (code) => reject(new Error(`${mode} server exited with ${code}`)))
  })
}
