// Team settings (relay): whether the team refuses plaintext content. A store without settings
// (the node: its content is always encrypted) answers NOT_SUPPORTED.
import type { FastifyInstance } from 'fastify'
import { ApiError } from '../../api/errors.js'
import { teamSettingsBody } from '../../api/schemas.js'
import type { HandoffStore } from '../../api/store.js'
import type { ApiContext } from '../context.js'
import { route } from '../route.js'

function unsupported(): never {
  throw new ApiError('NOT_SUPPORTED', 'This server has no team settings')
}

export function teamRoutes(app: FastifyInstance, api: ApiContext): void {
  const store: HandoffStore = api.store

  route(
    app,
    api,
    {
      method: 'GET',
      url: '/api/team/settings',
      summary: "The team's settings (encryption_required)",
      access: { kind: 'team', level: 'read' },
    },
    ({ principal }) => (store.getTeamSettings ? store.getTeamSettings(principal.teamId) : unsupported()),
  )

  route(
    app,
    api,
    {
      method: 'PUT',
      url: '/api/team/settings',
      summary: "Change the team's settings: {encryption_required}",
      access: { kind: 'team', level: 'admin' },
      body: teamSettingsBody,
    },
    ({ principal, body }) =>
      store.updateTeamSettings ? store.updateTeamSettings(principal.teamId, body) : unsupported(),
  )
}
