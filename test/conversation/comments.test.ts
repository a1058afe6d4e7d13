import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { Browser, Page } from 'playwright-core'
import { form, signIn, startTestApp, TEST_PASSWORD, type SignedIn, type TestApp } from '../helpers.ts'
import { axeViolations, launchChromium, skip } from '../browser/chromium.ts'
import { lesson } from '../search/helpers.ts'
import { eventually } from '../federation/instances.ts'

interface ApiComment { id: string, parentId: string | null, kind: string, status: string, html: string, flags: string[], author: { name: string } }

const LESSON_SOURCE = `---\ntitle: Mittagstisch im Quartier\nvisibility: public\n${lesson({ outcome: 'mixed', field: 'Jugendhilfe', from: '2022-03', language: 'de' })}---\nWas wir gelernt haben.\n`

describe('comments, experiences without an account, and moderation', { timeout: 180_000 }, () => {
  let test: TestApp
  let slug: string
  let writer: SignedIn
  let other: SignedIn
  let moderator: SignedIn

  const listed = async (status?: string, as?: SignedIn): Promise<ApiComment[]> => {
    const response = await (as?.inject ?? test.anonymous)({ url: `/api/pages/${slug}/comments${status === undefined ? '' : `?status=${status}`}` })
    assert.equal(response.statusCode, 200, response.body)
    return response.json<{ comments: ApiComment[] }>().comments
  }
  /** The experience form as an anonymous visitor gets it: its hidden time field. */
  const startedField = async (): Promise<string> => {
    const html = (await test.anonymous({ url: `/wiki/${slug}` })).body
    return /name="started" value="([^"]+)"/.exec(html)?.[1] ?? ''
  }
  const sendExperience = async (fields: Record<string, string>, address = '10.0.0.1') =>
    await test.anonymous({ method: 'POST', url: `/wiki/${slug}/experiences`, remoteAddress: address, ...form(fields) })

  before(async () => {
    test = await startTestApp({ EXPERIENCES_PER_TEN_MINUTES: '3' })
    const page = await test.app.wiki.createPage({ source: LESSON_SOURCE, confirmPublication: true })
    slug = page.slug
    writer = await signIn(test.app, test.anonymous, 'schreiberin', 'reader')
    other = await signIn(test.app, test.anonymous, 'andere', 'editor')
    moderator = await signIn(test.app, test.anonymous, 'moderator', 'moderator')
  })
  after(async () => { await test?.close() })

  it('lets a signed-in reader comment and reply one level deep, in a safe Markdown subset', async () => {
    const posted = await writer.inject({ method: 'POST', url: `/wiki/${slug}/comments`, ...form({ text: 'Bei uns **auch**. <script>alert(1)</script> [Link](javascript:alert(1))' }) })
    assert.equal(posted.statusCode, 303)
    const shownOnce = [(await writer.inject({ url: String(posted.headers.location) })).body, (await writer.inject({ url: String(posted.headers.location) })).body]
    assert.deepEqual(shownOnce.map(html => html.includes('Dein Kommentar ist veröffentlicht.')), [true, false], 'the notice says what happened, once')
    const [first] = await listed()
    assert.ok(first !== undefined)
    assert.equal(first.html, '<p>Bei uns <strong>auch</strong>. &lt;script&gt;alert(1)&lt;/script&gt; [Link](javascript:alert(1))</p>')
    const reply = await other.inject({ method: 'POST', url: `/wiki/${slug}/comments`, ...form({ text: 'Danke!', parent: first.id }) })
    assert.equal(reply.statusCode, 303)
    const replyId = (await listed()).find(comment => comment.parentId !== null)?.id ?? ''
    // A reply to a reply joins the same thread: one level only.
    await writer.inject({ method: 'POST', url: `/wiki/${slug}/comments`, ...form({ text: 'Gern.', parent: replyId }) })
    assert.deepEqual((await listed()).map(comment => comment.parentId), [null, first.id, first.id])

    const html = (await test.anonymous({ url: `/wiki/${slug}` })).body
    assert.ok(html.includes('Bei uns <strong>auch</strong>') && html.includes('Danke!'), 'the page shows them to anonymous readers')
    assert.equal((await test.anonymous({ method: 'POST', url: `/wiki/${slug}/comments`, ...form({ text: 'anonym' }) })).statusCode, 303, 'anonymous visitors are sent to sign in')
    assert.equal((await listed()).length, 3)
  })

  it('refuses empty, overlong and misdirected comments with a 4xx and stores nothing', async () => {
    const before = (await listed()).length
    for (const fields of [{ text: '   ' }, { text: 'x'.repeat(5001) }, { text: 'ok', parent: 'ffffffffffffffffffffffff' }, { text: 'ok', parent: '../../etc' }]) {
      const answer = await writer.inject({ method: 'POST', url: `/api/pages/${slug}/comments`, headers: { 'content-type': 'application/json', accept: 'application/json' }, payload: JSON.stringify(fields) })
      assert.ok(answer.statusCode >= 400 && answer.statusCode < 500, `${JSON.stringify(fields).slice(0, 40)} → ${answer.statusCode}`)
    }
    assert.equal((await listed()).length, before)
  })

  it('lets authors edit and delete their own comments, moderators delete any, and nobody else', async () => {
    const [first] = await listed()
    assert.ok(first !== undefined)
    assert.equal((await other.inject({ method: 'POST', url: `/comments/${first.id}/edit`, ...form({ text: 'übernommen' }) })).statusCode, 403)
    assert.equal((await other.inject({ method: 'POST', url: `/comments/${first.id}/delete`, ...form({}) })).statusCode, 403)
    assert.equal((await writer.inject({ method: 'POST', url: `/comments/${first.id}/edit`, ...form({ text: 'Bei uns *auch*, korrigiert.' }) })).statusCode, 303)
    assert.equal((await listed())[0]?.html, '<p>Bei uns <em>auch</em>, korrigiert.</p>')
    const reply = (await listed()).find(comment => comment.author.name === 'andere')
    assert.ok(reply !== undefined)
    assert.equal((await moderator.inject({ method: 'POST', url: `/comments/${reply.id}/delete`, ...form({}) })).statusCode, 303)
    assert.ok(!(await listed()).some(comment => comment.id === reply.id))
    const audit = await test.app.auth.audit.recent({ limit: 5, kinds: ['comment-deleted'] })
    assert.deepEqual(audit.map(entry => [entry.actor, entry.target]), [['moderator', reply.id]])
  })

  it('takes an experience without an account into the queue, with personal data flagged, and shows it once approved', async () => {
    await new Promise(resolve => setTimeout(resolve, 100))
    const started = await startedField()
    assert.notEqual(started, '')
    assert.equal((await sendExperience({ text: 'Zu schnell', started })).statusCode, 400, 'sent faster than anyone can write')
    await new Promise(resolve => setTimeout(resolve, 3100))
    assert.equal((await sendExperience({ text: 'Roboter', website: 'http://spam.example', started })).statusCode, 400, 'the honeypot')
    assert.equal((await sendExperience({ text: 'Gefälscht', started: '1.abc' })).statusCode, 400, 'a forged time field')
    const sent = await sendExperience({ text: 'Das Essen war gut. Frau Müller hat mir geholfen, erreichbar unter 0171 2345678.', name: 'Ein Gast', started }, '10.0.0.2')
    assert.equal(sent.statusCode, 303)
    assert.match(String(sent.headers.location), /notice=experience-received/)
    assert.deepEqual(await listed(), (await listed()).filter(comment => comment.kind !== 'experience'), 'not shown before a moderator approved it')
    const [waiting] = (await listed('pending', moderator)).filter(comment => comment.kind === 'experience')
    assert.ok(waiting !== undefined)
    assert.ok(waiting.flags.some(flag => flag.includes('Müller')) && waiting.flags.some(flag => flag.includes('0171')), JSON.stringify(waiting.flags))
    // Moderators are told after the answer, by the queue's event: wait for it (bounded).
    await eventually(async () => (await moderator.inject({ url: '/notifications' })).body.includes('Eine Erfahrung ohne Konto (Ein Gast) zu „Mittagstisch im Quartier“ wartet auf Moderation.'), 10_000, 'moderators are notified of the new item')
    assert.ok(!(await writer.inject({ url: '/notifications' })).body.includes('wartet auf Moderation'), 'nobody else is')
    const queue = (await moderator.inject({ url: '/moderation' })).body
    assert.ok(queue.includes('Frau Müller') && queue.includes('Ein Gast'))
    assert.equal((await writer.inject({ url: '/moderation' })).statusCode, 403, 'the queue is for moderators')
    assert.equal((await writer.inject({ method: 'POST', url: `/api/comments/${waiting.id}/approve` })).statusCode, 403)
    assert.equal((await moderator.inject({ method: 'POST', url: `/moderation/${waiting.id}/approve`, ...form({}) })).statusCode, 303)
    const html = (await test.anonymous({ url: `/wiki/${slug}` })).body
    const section = html.slice(html.indexOf('id="experiences-heading"'))
    assert.ok(section.includes('Ein Gast') && section.includes('Das Essen war gut'), 'in its own section, marked as a participant\'s view')
  })

  it('limits how many experiences one address sends', async () => {
    const started = await startedField()
    await new Promise(resolve => setTimeout(resolve, 3100))
    const answers: number[] = []
    for (let n = 0; n < 4; n++) answers.push((await sendExperience({ text: `Nummer ${n}`, started }, '10.0.0.9')).statusCode)
    assert.deepEqual(answers, [303, 303, 303, 429])
  })

  it('works in Chromium without JavaScript, and axe finds nothing on the page or the queue', { skip }, async () => {
    const browser: Browser = await launchChromium()
    try {
      const base = await test.app.listen({ port: 0, host: '127.0.0.1' })
      const context = await browser.newContext({ javaScriptEnabled: false, locale: 'de-DE' })
      const page: Page = await context.newPage()
      await page.goto(`${base}/wiki/${slug}`)
      await page.fill('#experience-text', 'Ich war jeden Dienstag da. Die Gespräche haben mir gutgetan.')
      await page.fill('#experience-name', 'Besucherin')
      await page.waitForTimeout(3100)
      await page.click('#experience-form button[type="submit"]')
      await page.waitForURL(url => url.search.includes('notice=experience-received'))
      assert.match(await page.locator('[role="status"]').innerText(), /angekommen/)
      const waiting = (await listed('pending', moderator)).filter(comment => comment.author.name === 'Besucherin')
      assert.equal(waiting.length, 1)

      const checked = await browser.newContext({ locale: 'de-DE', bypassCSP: true })
      const tab = await checked.newPage()
      await tab.goto(`${base}/login`)
      await tab.fill('#username', 'moderator')
      await tab.fill('#password', TEST_PASSWORD)
      await tab.locator('main form button[type="submit"]').click()
      await tab.waitForURL(url => url.pathname !== '/login')
      for (const path of [`/wiki/${slug}`, '/moderation']) {
        await tab.goto(`${base}${path}`)
        assert.deepEqual(await axeViolations(tab), [], path)
      }
    } finally {
      await browser.close()
    }
  })
})
