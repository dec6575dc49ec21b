import type { Command } from 'commander'

export function registerNodeCommands(program: Command): void {
  program
    .command('node')
    .description('Run the local Handoff node')
    .action(async () => {
      throw new Error('the node is not built yet')
    })
}
