import { de, type MessageKey } from './de.ts'
import { en } from './en.ts'

export type Locale = 'de' | 'en'
export type { MessageKey }
export type MessageParams = Record<string, string | number>
export type Translate = (key: MessageKey, params?: MessageParams) => string

export const LOCALES: readonly Locale[] = ['de', 'en']
export const DEFAULT_LOCALE: Locale = 'de'

const catalogues: Record<Locale, Record<MessageKey, string>> = { de, en }

export function translator (locale: Locale): Translate {
  const catalogue = catalogues[locale]
  return (key, params) => {
    const message = catalogue[key]
    if (params === undefined) return message
    return message.replace(/\{(\w+)\}/g, (whole, name: string) => name in params ? String(params[name]) : whole)
  }
}

/**
 * The best supported locale for an Accept-Language header, by quality value;
 * German when the header names none of ours.
 */
export function negotiateLocale (header: string | undefined): Locale {
  if (header === undefined || header === '') return DEFAULT_LOCALE
  const ranges = header.split(',').slice(0, 20).map((part, index) => {
    const [tag = '', ...parameters] = part.trim().split(';')
    const quality = parameters.map(parameter => /^\s*q=([0-9.]+)\s*$/.exec(parameter)?.[1]).find(value => value !== undefined)
    return { language: tag.trim().toLowerCase().split('-')[0] ?? '', quality: quality === undefined ? 1 : Number(quality), index }
  })
  ranges.sort((a, b) => b.quality - a.quality || a.index - b.index)
  for (const range of ranges) {
    if (range.quality <= 0 || Number.isNaN(range.quality)) continue
    if ((LOCALES as readonly string[]).includes(range.language)) return range.language as Locale
    if (range.language === '*') return DEFAULT_LOCALE
  }
  return DEFAULT_LOCALE
}

// Building an Intl formatter costs far more than using one, so each locale gets one.
const dateFormats: Record<Locale, Intl.DateTimeFormat> = {
  de: new Intl.DateTimeFormat('de-DE', { dateStyle: 'medium', timeStyle: 'short' }),
  en: new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short' })
}

/** Dates as people in the locale write them, in the server's time zone. */
export function formatDate (date: Date, locale: Locale): string {
  return dateFormats[locale].format(date)
}
