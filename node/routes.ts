// The node's own routes, next to the shared API (same auth, errors and rate limit):
//   POST /api/node/invites  {name, role?} -> 201 {code, expires_at}     "*": admin
//   GET  /api/node/status   -> the node's state (peers, log lengths...)  any key
//   GET  /api/node/members  -> [{device, name, role, removed, self}]     "*": read
//   DELETE /api/node/members/:device -> 200 {epoch}: removed, key rotated "*": admin
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { ApiError } from '../sdk/api/errors.js'
import type { ApiHelpers } from '../sdk/server/options.js'
import type { InviteHost } from './invites.js'
import { listMembers, removeMember } from './members.js'
import type { NodeStore } from './store.js'
import type { Role } from './view/records.js'

export interface NodeStatus {
  team: { id: string; name: string }
  member: { name: string; role: Role; device: string }
  url: string
  writable: boolean
  peers: number
  log: {
    /** the team log's linearized length, and how much of it a quorum signed */
    length: number
    signed_length: number
    /** this device's own writer core */
    local_length: number
    /** view entries */
    view_length: number
    /** operations applied locally but not yet signed by the indexers: what may still reorder */
    unsigned: number
  }
  relay: { configured: boolean; url: string | null; state: string }
}

const ROLES = new Set(['admin', 'member', 'reader'])

export function nodeRoutes(store: NodeStore, invites: InviteHost, status: () => NodeStatus) {
  return (app: FastifyInstance, helpers: ApiHelpers): void => {
    app.post('/api/node/invites', async (request: FastifyRequest, reply) => {
      const principal = await helpers.authenticate(request)
      await helpers.requirePermission(request, principal, '*', 'admin')
      const body = (request.body ?? {}) as { name?: unknown; role?: unknown }
      if (typeof body.name !== 'string' || body.name.length === 0 || body.name.length > 128) {
        throw new ApiError('MISSING_FIELDS', 'name (1-128 characters) is required')
      }
      const role = body.role ?? 'member'
      if (typeof role !== 'string' || !ROLES.has(role)) {
        throw new ApiError('INVALID_FIELD', 'role must be "member", "admin" or "reader"')
      }
      reply.code(201)
      return invites.create(body.name, role as Role)
    })
    app.get('/api/node/status', async (request: FastifyRequest) => {
      await helpers.authenticate(request)
      return status()
    })
    app.get('/api/node/members', async (request: FastifyRequest) => {
      const principal = await helpers.authenticate(request)
      await helpers.requirePermission(request, principal, '*', 'read')
      return listMembers(store)
    })
    app.delete('/api/node/members/:device', async (request: FastifyRequest) => {
      const principal = await helpers.authenticate(request)
      await helpers.requirePermission(request, principal, '*', 'admin')
      const { device } = request.params as { device: string }
      if (!/^[0-9a-f]{64}$/.test(device)) throw new ApiError('NOT_FOUND', 'No such member')
      return removeMember(store, device)
    })
  }
}
