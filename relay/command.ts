import type { Command } from 'commander'

export function registerRelayCommand(program: Command): void {
  program
    .command('relay')
    .description('Run the Handoff relay (HTTP/SSE API over Redis)')
    .option('--port <n>', 'port (PORT)', process.env.PORT ?? '3000')
    .option('--host <h>', 'host (HOST)', process.env.HOST ?? '0.0.0.0')
    .action(async () => {
      throw new Error('the relay is not built yet')
    })
}
