// GET /api/whoami (new, not in the seed): who the calling key is. An agent needs its own sender
// name to know which mentions are for it (the MCP server's whoami and wait_for_messages).
import type { FastifyInstance } from 'fastify'
import type { ApiContext } from '../context.js'
import { route } from '../route.js'

export function whoamiRoutes(app: FastifyInstance, api: ApiContext): void {
  route(
    app,
    api,
    {
      method: 'GET',
      url: '/api/whoami',
      summary: 'The calling key: sender, key id, team id, permissions',
      access: { kind: 'key' },
    },
    async ({ principal }) => ({
      sender: principal.sender,
      key_id: principal.keyId,
      team_id: principal.teamId,
      permissions: principal.permissions,
    }),
  )
}
