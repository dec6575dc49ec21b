// The audit log: every permission denial is recorded, newest first, paginated, admin only.
import { describe, expect, it } from 'vitest'
import type { Fixture } from '../fixture.js'
import { expectError, expectStatus, seg } from '../http.js'
import { expectAuditPage } from '../shapes.js'

export function auditCases(f: Fixture): void {
  const entriesOf = async (sender: string) => {
    const page = expectStatus(await f.admin.get('/api/audit?limit=100'), 200)
    expectAuditPage(page)
    return page.entries.filter((e: any) => e.sender_name === sender)
  }

  describe('audit', () => {
    it('a denial is recorded {id, key_hash, sender_name, action, channel, result: "denied", timestamp}', async () => {
      const ch = f.channel('au-one')
      const reader = await f.key('au-one', { [ch]: 'read' })
      expectError(
        await reader.client.post(`/api/channels/${ch}/messages`, { content: 'x' }),
        403,
        'FORBIDDEN',
      )
      const entries = await entriesOf(reader.sender)
      expect(entries).toHaveLength(1)
      expect(entries[0]).toMatchObject({ channel: ch, result: 'denied' })
      expect(entries[0].action).toContain('POST')
    })

    it("an entry's key_hash is the key's id, so it works in PUT /api/keys/{key_hash}/permissions", async () => {
      // the seed's workflow (MCP read_audit_log, then set_key_permissions with that key_hash)
      const ch = f.channel('au-fix')
      const reader = await f.key('au-fix', { [ch]: 'read' })
      expectError(
        await reader.client.post(`/api/channels/${ch}/messages`, { content: 'x' }),
        403,
        'FORBIDDEN',
      )
      const [entry] = await entriesOf(reader.sender)
      expect(entry.key_hash).toBe(reader.id)
      const res = await f.admin.put(`/api/keys/${seg(entry.key_hash)}/permissions`, {
        permissions: { [ch]: 'write' },
      })
      expectStatus(res, 200)
      expectStatus(await reader.client.post(`/api/channels/${ch}/messages`, { content: 'x' }), 201)
    })

    it('?result=denied keeps only denials (the seed filter)', async () => {
      const reader = await f.key('au-filter', {})
      expectError(await reader.client.get(`/api/channels/${f.channel('au-f')}/messages`), 403, 'FORBIDDEN')
      const page = expectStatus(await f.admin.get('/api/audit?result=denied&limit=100'), 200)
      expectAuditPage(page)
      expect(page.entries.length).toBeGreaterThan(0)
      for (const entry of page.entries) expect(entry.result).toBe('denied')
      const none = expectStatus(await f.admin.get('/api/audit?result=no-such-result'), 200)
      expect(none.entries).toEqual([])
    })

    it('the audit log never contains a key secret', async () => {
      const ch = f.channel('au-secret')
      const reader = await f.key('au-secret', { [ch]: 'read' })
      expectError(await reader.client.delete(`/api/channels/${ch}`), 403, 'FORBIDDEN')
      const res = await f.admin.get('/api/audit?limit=100')
      expectStatus(res, 200)
      expect(res.text).not.toContain(reader.secret)
    })

    it('denials of team-level routes are recorded too', async () => {
      const writer = await f.key('au-team', { '*': 'write' })
      expectError(await writer.client.get('/api/keys'), 403, 'FORBIDDEN')
      expectError(await writer.client.post('/api/channels', { name: f.channel('au-team') }), 403, 'FORBIDDEN')
      expect(await entriesOf(writer.sender)).toHaveLength(2)
    })

    it('entries are newest first', async () => {
      const chans = [f.channel('au-o1'), f.channel('au-o2'), f.channel('au-o3')]
      const reader = await f.key('au-order', {})
      for (const ch of chans)
        expectError(await reader.client.get(`/api/channels/${ch}/messages`), 403, 'FORBIDDEN')
      const entries = await entriesOf(reader.sender)
      expect(entries.map((e: any) => e.channel)).toEqual([...chans].reverse())
    })

    it('the audit log pages with limit, has_more and next_after_id, without overlap', async () => {
      const reader = await f.key('au-page', {})
      for (let i = 0; i < 3; i++) await reader.client.get(`/api/channels/${f.channel('au-p')}/messages`)
      const first = expectStatus(await f.admin.get('/api/audit?limit=2'), 200)
      expectAuditPage(first)
      expect(first.entries).toHaveLength(2)
      expect(first.has_more).toBe(true)
      const second = expectStatus(
        await f.admin.get(`/api/audit?limit=2&after_id=${seg(first.next_after_id)}`),
        200,
      )
      expectAuditPage(second)
      expect(second.entries.length).toBeGreaterThan(0)
      const firstIds = first.entries.map((e: any) => e.id)
      for (const entry of second.entries) expect(firstIds).not.toContain(entry.id)
    })

    it('the audit log needs "*": "admin": 403 FORBIDDEN otherwise', async () => {
      const reader = await f.key('au-deny', { '*': 'write' })
      expectError(await reader.client.get('/api/audit'), 403, 'FORBIDDEN')
    })

    it('bad after_id and limit on the audit log are 400 INVALID_CURSOR / INVALID_LIMIT', async () => {
      expectError(await f.admin.get('/api/audit?after_id=zzz'), 400, 'INVALID_CURSOR')
      expectError(await f.admin.get('/api/audit?limit=0'), 400, 'INVALID_LIMIT')
      expectError(await f.admin.get('/api/audit?limit=101'), 400, 'INVALID_LIMIT')
    })
  })
}
