#!/usr/bin/env node
// The `handoff` command line: one program, one subcommand per part. Each part owns its own
// command module; this file only wires them together and maps failures to exit codes.
import { Command, CommanderError } from 'commander'
import { registerMcpCommand } from './mcp/command.js'
import { registerNodeCommands } from './node/command.js'
import { registerRelayCommand } from './relay/command.js'
import { UsageError } from './sdk/cli-errors.js'

const program = new Command()
  .name('handoff')
  .description('Coordinate AI coding agents over end-to-end-encrypted team channels')
  .version('2.0.0')
  .exitOverride()
  .configureOutput({ outputError: (text, write) => write(text) })

registerNodeCommands(program)
registerRelayCommand(program)
registerMcpCommand(program)

try {
  await program.parseAsync(process.argv)
} catch (err) {
  if (err instanceof CommanderError) {
    // --help and --version exit 0; every other commander failure is bad usage.
    process.exit(err.exitCode === 0 ? 0 : 2)
  }
  const message = err instanceof Error ? err.message : String(err)
  process.stderr.write(`handoff: ${message}\n`)
  process.exit(err instanceof UsageError ? 2 : 1)
}
