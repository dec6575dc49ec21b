// Team settings (relay): whether the team refuses plaintext content. A store without settings
// (the node: its content is always encrypted) has no such routes: 404, never a 5xx.

import type { FastifyInstance } from 'fastify'
import * as R from '../../api/responses.js'
import { teamSettingsBody } from '../../api/schemas.js'
import type { HandoffStore } from '../../api/store.js'
import type { ApiContext } from '../context.js'
import { route } from '../route.js'

export function teamRoutes(app: FastifyInstance, api: ApiContext): void {
  const store: HandoffStore = api.store
  const { getTeamSettings, updateTeamSettings } = store
  if (!getTeamSettings || !updateTeamSettings) return

  route(
    app,
    api,
    {
      method: 'GET',
      url: '/api/team/settings',
      response: R.teamSettings,
      summary: "The team's settings (encryption_required)",
      access: { kind: 'team', level: 'read' },
    },
    ({ principal }) => getTeamSettings.call(store, principal.teamId),
  )

  route(
    app,
    api,
    {
      method: 'PUT',
      url: '/api/team/settings',
      response: R.teamSettings,
      summary: "Change the team's settings: {encryption_required}",
      access: { kind: 'team', level: 'admin' },
      body: teamSettingsBody,
    },
    ({ principal, body }) => updateTeamSettings.call(store, principal.teamId, body),
  )
}
