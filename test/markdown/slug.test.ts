import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { slugForTitle, slugifyTitle, uniqueSlug, isValidSlug, slugProblem, MAX_SLUG_LENGTH, RESERVED_SLUGS } from '../../src/markdown/slug.ts'

describe('slugs', () => {
  it('spells German umlauts and ß the German way', () => {
    assert.equal(slugForTitle('Übergänge in der Straße'), 'uebergaenge-in-der-strasse')
    assert.equal(slugForTitle('Größe ÖPNV'), 'groesse-oepnv')
  })

  it('turns other accented letters into their plain letters', () => {
    assert.equal(slugForTitle('Crème brûlée à la française'), 'creme-brulee-a-la-francaise')
  })

  it('spells the ampersand in the language of the page', () => {
    assert.equal(slugForTitle('Jugendhilfe & Schule', 'de'), 'jugendhilfe-und-schule')
    assert.equal(slugForTitle('Youth work & school', 'en'), 'youth-work-and-school')
  })

  it('gives the same slug for the same title every time', () => {
    assert.equal(slugForTitle('Quartiersarbeit in Köln'), slugForTitle('Quartiersarbeit in Köln'))
  })

  it('falls back to a neutral slug when the title has no letter or digit', () => {
    assert.equal(slugForTitle('!!!'), 'page')
  })

  it('spells Cyrillic, Greek, Arabic and Georgian titles in Latin letters', () => {
    assert.equal(slugForTitle('Работа с молодёжью'), 'rabota-s-molodyozhyu')
    assert.equal(slugForTitle('Κοινωνική εργασία'), 'koinoniki-ergasia')
    assert.equal(slugForTitle('العمل الاجتماعي'), 'aleml-alajtmaey')
    assert.equal(slugForTitle('ქართული'), 'qartuli')
  })

  it('gives titles in scripts without transliteration a stable slug of their own, not page', () => {
    // The first 8 hex digits of the title's SHA-256, worked out apart from the code: printf '社会工作经验' | sha256sum
    assert.equal(slugForTitle('社会工作经验'), 'page-6a4997e8')
    const slugs = ['中文', '日本語', 'ソーシャルワーク', '사회 복지', 'עבודה סוציאלית', 'सामाजिक कार्य', 'งานสังคม'].map(title => slugForTitle(title))
    for (const slug of slugs) assert.match(slug, /^page-[0-9a-f]{8}$/)
    assert.equal(new Set(slugs).size, slugs.length)
    assert.equal(slugForTitle('中文'), slugs[0])
  })

  it('gives a title the same slug whatever invisible controls or Unicode composition it came with', () => {
    assert.equal(slugForTitle('Caf\u0065\u0301 am Markt'), slugForTitle('Caf\u00e9 am Markt'))
    assert.equal(slugForTitle('\u200b社会\u202e工作经验\u2069'), 'page-6a4997e8')
  })

  it('moves a title that would take a reserved path to a suffixed slug', () => {
    for (const title of ['API', 'Wiki', 'Lessons', 'Search', 'Login', 'Admin', 'Static', 'New']) {
      const slug = slugForTitle(title)
      assert.ok(isValidSlug(slug), `${title} → ${slug}`)
      assert.ok(!RESERVED_SLUGS.has(slug))
    }
  })

  it('never produces a slug that can leave a directory', () => {
    for (const title of ['../../etc/passwd', '..\\windows', '/absolute', '.well-known', 'a/../b', '%2e%2e%2f']) {
      const slug = slugForTitle(title)
      assert.match(slug, /^[a-z0-9]+(?:-[a-z0-9]+)*$/)
    }
  })

  it('refuses reserved names, dots, slashes and upper case as slugs', () => {
    assert.equal(slugProblem('api'), 'reserved')
    assert.equal(slugProblem('feed.atom'), 'invalid-characters')
    assert.equal(slugProblem('.well-known'), 'invalid-characters')
    assert.equal(slugProblem('..'), 'invalid-characters')
    assert.equal(slugProblem('a/b'), 'invalid-characters')
    assert.equal(slugProblem('Abc'), 'invalid-characters')
    assert.equal(slugProblem('a--b'), 'invalid-characters')
    assert.equal(slugProblem(''), 'empty')
    assert.equal(slugProblem('a'.repeat(MAX_SLUG_LENGTH + 1)), 'too-long')
    assert.equal(slugProblem('gute-praxis-2024'), null)
  })

  it('cuts very long titles at a word boundary without a trailing hyphen', () => {
    const slug = slugifyTitle('Sehr langer Titel '.repeat(20))
    assert.ok(slug.length <= MAX_SLUG_LENGTH)
    assert.ok(!slug.endsWith('-'))
  })

  it('resolves collisions with the first free numbered suffix', async () => {
    const taken = new Set(['projekt', 'projekt-2'])
    assert.equal(await uniqueSlug('projekt', async slug => taken.has(slug)), 'projekt-3')
    assert.equal(await uniqueSlug('frei', async slug => taken.has(slug)), 'frei')
  })

  it('gives up after a bounded number of attempts', async () => {
    assert.equal(await uniqueSlug('x', async () => true, 5), null)
  })

  it('keeps suffixed slugs within the length limit', async () => {
    const base = 'a'.repeat(MAX_SLUG_LENGTH)
    const slug = await uniqueSlug(base, async candidate => candidate === base)
    assert.ok(slug !== null && slug.length <= MAX_SLUG_LENGTH)
    assert.ok(slug.endsWith('-2'))
  })
})
