// End-to-end encryption through a real server: the server stores only ciphertext of message text
// and status values (read straight from its storage), the team secret opens everything on every
// path (read, thread, stream, status, changes), a wrong secret yields flagged records, and the
// seed's "e2ee:" history stays readable.
import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Handoff, type Message } from '../index.js'
import { seedEncrypt } from './support/seed-e2ee.js'
import { type SdkServer, targets } from './support/targets.js'
import { waitFor } from './support/wait.js'

const PASSPHRASE = 'team secret for the sdk e2ee test'
/** Unique words, so finding one in storage can only mean our plaintext leaked. */
const marker = (label: string) => `${label}-${randomBytes(6).toString('hex')}`

for (const target of targets) {
  describe(`SDK end-to-end encryption on the ${target.name}`, () => {
    let server: SdkServer
    let team: Handoff
    let plain: Handoff

    beforeAll(async () => {
      server = await target.start()
      team = new Handoff({ apiUrl: server.url, apiKey: server.adminKey, encryptionKey: PASSPHRASE })
      plain = new Handoff({ apiUrl: server.url, apiKey: server.adminKey })
    })
    afterAll(async () => {
      await server?.stop()
    })

    it('stores no plaintext of message text or status values, and reads everything back', async () => {
      await team.createChannel('secret')
      const streamed: Message[] = []
      const off = team.on('secret', (m) => void streamed.push(m))
      await off.ready()

      const words = {
        text: marker('text'),
        reply: marker('reply'),
        status: marker('status'),
        next: marker('next'),
      }
      const parent = await team.post('secret', `the plan: ${words.text}`, { mention: 'bob' })
      expect(parent).toMatchObject({ content: `the plan: ${words.text}`, mention: 'bob', encrypted: true })
      await team.reply('secret', parent.id, words.reply)
      await team.setStatus('secret', 'phase', words.status)
      await team.setStatus('secret', 'phase', words.next)
      await waitFor(() => streamed.length === 2, 'both messages on the stream')
      off()

      // What the server holds: ciphertext only, and it is really our data (the hf1: strings).
      const stored = await server.storedText()
      for (const word of Object.values(words)) expect(stored).not.toContain(word)
      const raw = await plain.read('secret', { after_id: '0' })
      expect(raw.messages).toHaveLength(2)
      const rawStatus = await plain.getStatus({ channel: 'secret', key: 'phase' })
      expect(rawStatus[0]!.value.startsWith('hf1:')).toBe(true)
      for (const m of raw.messages) {
        expect(m.content.startsWith('hf1:')).toBe(true)
        expect(m.encrypted).toBe(true)
      }
      expect(stored.length).toBeGreaterThan(0)
      if (server.storesContentAsSent) {
        // Proof the dump holds our records: the ciphertext the client sent is there verbatim.
        for (const m of raw.messages) expect(stored).toContain(m.content)
        expect(stored).toContain(rawStatus[0]!.value)
      }

      // The team secret opens every path.
      expect(streamed.map((m) => m.content)).toEqual([`the plan: ${words.text}`, words.reply])
      const page = await team.read('secret', { after_id: '0' })
      expect(page.messages.map((m) => m.content)).toEqual([`the plan: ${words.text}`, words.reply])
      expect(page.messages.every((m) => m.encrypted && !m.decrypt_error)).toBe(true)
      const thread = await team.thread('secret', parent.id)
      expect(thread.parent.content).toBe(`the plan: ${words.text}`)
      expect(thread.replies.map((m) => m.content)).toEqual([words.reply])
      expect((await team.getStatus({ channel: 'secret' }))[0]).toMatchObject({
        key: 'phase',
        value: words.next,
      })
      const changes = await team.getStatusChanges('secret', { after_id: '0' })
      expect(changes.changes.map((c) => c.value)).toEqual([words.status, words.next])
    })

    it('flags records under a wrong passphrase: no plaintext, no exception', async () => {
      await team.createChannel('wrong-key')
      const word = marker('hidden')
      await team.post('wrong-key', word)
      await team.setStatus('wrong-key', 'k', word)
      await plain.post('wrong-key', 'plain text stays plain')
      const intruder = new Handoff({
        apiUrl: server.url,
        apiKey: server.adminKey,
        encryptionKey: 'not the secret',
      })

      const page = await intruder.read('wrong-key', { after_id: '0' })
      expect(page.messages).toHaveLength(2)
      const [sealed, open] = page.messages
      expect(sealed).toMatchObject({ encrypted: true })
      expect(sealed!.decrypt_error).toMatch(/decrypt/)
      expect(sealed!.content.startsWith('hf1:')).toBe(true)
      expect(JSON.stringify(page)).not.toContain(word)
      expect(open).toMatchObject({ content: 'plain text stays plain' })
      expect(open!.decrypt_error).toBeUndefined()

      const [status] = await intruder.getStatus({ channel: 'wrong-key' })
      expect(status!.decrypt_error).toBeTruthy()
      expect(status!.value).not.toContain(word)
    })

    it("reads the seed's e2ee: history written before the upgrade", async () => {
      await plain.createChannel('history')
      // What handoff-sdk v1.3.2 with encryptionKey sent: the server stores the string as is.
      await plain.post('history', seedEncrypt(PASSPHRASE, 'written by the old SDK'))
      await team.post('history', 'written by the new SDK')
      const page = await team.read('history', { after_id: '0' })
      expect(page.messages.map((m) => m.content)).toEqual([
        'written by the old SDK',
        'written by the new SDK',
      ])
      expect(page.messages.every((m) => m.encrypted === true)).toBe(true)
    })

    it('treats a raw key given as bytes or as hex as the same team key', async () => {
      const key = randomBytes(32)
      const bytes = new Handoff({ apiUrl: server.url, apiKey: server.adminKey, encryptionKey: key })
      const hex = new Handoff({
        apiUrl: server.url,
        apiKey: server.adminKey,
        encryptionKey: key.toString('hex'),
      })
      await bytes.createChannel('raw-key')
      await bytes.post('raw-key', 'sealed with raw bytes')
      const page = await hex.read('raw-key')
      expect(page.messages[0]).toMatchObject({ content: 'sealed with raw bytes', encrypted: true })
      expect((await team.read('raw-key')).messages[0]!.decrypt_error).toBeTruthy()
    })

    if (target.teamSettings) {
      it('lets a team require encryption: the plain client is refused, the encrypting one is not', async () => {
        await plain.createChannel('required')
        expect(await plain.updateTeamSettings({ encryption_required: true })).toEqual({
          encryption_required: true,
        })
        try {
          expect(await team.getTeamSettings()).toEqual({ encryption_required: true })
          const refused = await plain.post('required', 'in the clear').catch((e: unknown) => e)
          expect(refused).toMatchObject({ status: 400, code: 'ENCRYPTION_REQUIRED' })
          await expect(plain.setStatus('required', 'k', 'in the clear')).rejects.toMatchObject({
            code: 'ENCRYPTION_REQUIRED',
          })
          expect((await team.post('required', 'sealed')).content).toBe('sealed')
          expect((await team.setStatus('required', 'k', 'sealed')).value).toBe('sealed')
        } finally {
          await plain.updateTeamSettings({ encryption_required: false })
        }
      })
    }
  })
}
