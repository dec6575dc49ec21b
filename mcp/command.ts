import type { Command } from 'commander'

export function registerMcpCommand(program: Command): void {
  program
    .command('mcp')
    .description('Run the MCP server on stdio (for Claude Code and other MCP clients)')
    .action(async () => {
      throw new Error('the MCP server is not built yet')
    })
}
