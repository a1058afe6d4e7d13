import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { lessonsCsv, lessonsCsvInChunks, lessonsGeoJson, lessonsJsonLd } from '../../src/lessons/exports.ts'
import { licenceUrl } from '../../src/markdown/licence.ts'
import { parseCsv } from './csv-reader.ts'
import { lesson } from './fixtures.ts'

const context = { baseUrl: 'http://wiki.test', siteName: 'Praxiswiki' }

describe('lesson exports', () => {
  it('writes RFC 4180 CSV with a byte order mark, CRLF and quoted commas, quotes, newlines and umlauts', () => {
    const tricky = lesson({ title: 'Grünau, "Zeit für dich"', summary: 'Zeile eins\nZeile zwei\r\nZeile drei', tags: ['ä', 'ß'] })
    const csv = lessonsCsv([tricky], context)
    assert.ok(csv.startsWith('\uFEFFurl,title,'))
    assert.ok(csv.includes('"Grünau, ""Zeit für dich"""'))
    assert.ok(csv.includes('"Zeile eins\nZeile zwei\r\nZeile drei"'))
    const rows = parseCsv(csv.slice(1))
    assert.equal(rows.length, 2)
    const header = rows[0] ?? []
    const values = Object.fromEntries(header.map((name, index) => [name, rows[1]?.[index]]))
    assert.equal(values.title, 'Grünau, "Zeit für dich"')
    assert.equal(values.summary, 'Zeile eins\nZeile zwei\r\nZeile drei')
    assert.equal(values.tags, 'ä; ß')
    assert.equal(values.licence, 'CC-BY-SA-4.0')
    assert.equal(values.url, 'http://wiki.test/wiki/lesson')
  })

  it('puts a quote before text cells that start with a tab or carriage return, and leaves negative coordinates numbers', () => {
    const csv = lessonsCsv([lesson({ title: '\t=1+1', summary: '\r=1+1', place: { name: '-Nord', lat: -33.9, lon: -70.6 } })], context)
    const rows = parseCsv(csv.slice(1))
    const values = Object.fromEntries((rows[0] ?? []).map((name, index) => [name, rows[1]?.[index]]))
    assert.deepEqual([values.title, values.summary, values.place, values.lat, values.lon], ["'\t=1+1", "'\r=1+1", "'-Nord", '-33.9', '-70.6'])
  })

  it('writes a GeoJSON FeatureCollection with [longitude, latitude] points and leaves out lessons without coordinates', () => {
    const geojson = lessonsGeoJson([lesson({ slug: 'with', place: { name: 'Cardiff', lat: 51.481, lon: -3.179 } }), lesson({ slug: 'without', place: { name: 'Irgendwo' } })], context) as { type: string, features: Array<{ type: string, id: string, geometry: { type: string, coordinates: number[] }, properties: Record<string, unknown> }> }
    assert.equal(geojson.type, 'FeatureCollection')
    assert.equal(geojson.features.length, 1)
    const feature = geojson.features[0]
    assert.equal(feature?.type, 'Feature')
    assert.equal(feature?.geometry.type, 'Point')
    assert.deepEqual(feature?.geometry.coordinates, [-3.179, 51.481])
    assert.equal(feature?.properties.licence, 'CC-BY-SA-4.0')
  })

  it('describes lessons as schema.org Articles with their licences', () => {
    const jsonld = lessonsJsonLd([lesson({ licence: 'CC-BY-4.0' }), lesson({ slug: 'other', licence: 'MIT' })], context) as { '@context': string, itemListElement: Array<{ item: { license: string, '@type': string } }> }
    assert.equal(jsonld['@context'], 'https://schema.org')
    assert.deepEqual(jsonld.itemListElement.map(entry => entry.item.license), ['https://creativecommons.org/licenses/by/4.0/', 'https://spdx.org/licenses/MIT.html'])
    assert.equal(jsonld.itemListElement[0]?.item['@type'], 'Article')
    assert.equal(licenceUrl('CC-BY-SA-4.0'), 'https://creativecommons.org/licenses/by-sa/4.0/')
  })
})

describe('CSV export in chunks', () => {
  it('writes 25 lessons in chunks of 10 with a pause between chunks, the same CSV as in one piece', async () => {
    const lessons = Array.from({ length: 25 }, (_, index) => lesson({ slug: `lesson-${index}`, title: `Lektion ${index}` }))
    let pauses = 0
    const csv = await lessonsCsvInChunks(lessons, context, 10, async () => { pauses += 1 })
    assert.equal(pauses, 2)
    assert.equal(csv, lessonsCsv(lessons, context))
    assert.equal(csv.split('\r\n').filter(line => line.includes('/wiki/lesson-')).length, 25)
  })
})
