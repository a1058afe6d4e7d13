import Negotiator from 'negotiator'
import { de, type MessageKey } from './de.ts'
import { en } from './en.ts'
import type { Message } from './message.ts'

export type Locale = 'de' | 'en'
export type { MessageKey }
export type MessageParams = Record<string, string | number>
export type Translate = (key: MessageKey, params?: MessageParams) => string

export const LOCALES: readonly Locale[] = ['de', 'en']
export const DEFAULT_LOCALE: Locale = 'de'

const catalogues: Record<Locale, Record<MessageKey, Message>> = { de, en }

export function isLocale (value: unknown): value is Locale {
  return typeof value === 'string' && (LOCALES as readonly string[]).includes(value)
}

function createTranslator (locale: Locale): Translate {
  const catalogue = catalogues[locale]
  const plurals = new Intl.PluralRules(locale)
  return (key, params) => {
    const message = pluralVariant(catalogue[key], plurals, params?.count)
    if (params === undefined) return message
    return message.replace(/\{(\w+)\}/g, (whole, name: string) => {
      if (!(name in params)) return whole
      const value = params[name]
      return typeof value === 'number' ? formatNumber(value, locale) : String(value)
    })
  }
}

/** The text for a count: the variant of its plural category, `other` when there is none or no count. */
function pluralVariant (message: Message, plurals: Intl.PluralRules, count: string | number | undefined): string {
  if (typeof message === 'string') return message
  if (typeof count !== 'number') return message.other
  return message[plurals.select(count)] ?? message.other
}

const translators: Record<Locale, Translate> = { de: createTranslator('de'), en: createTranslator('en') }

/**
 * Messages in one language; numbers in their parameters are written as the locale writes
 * them, and a message with plural variants takes the one its `count` asks for.
 */
export function translator (locale: Locale): Translate {
  return translators[locale]
}

/**
 * The best supported locale for an Accept-Language header, by quality value;
 * German when the header names none of ours.
 */
export function negotiateLocale (header: string | undefined): Locale {
  // A `*` or a missing header accepts every locale alike; the first offered, German, wins the tie.
  const chosen = new Negotiator({ headers: { 'accept-language': header } }).language(LOCALES)
  return isLocale(chosen) ? chosen : DEFAULT_LOCALE
}

// Building an Intl formatter costs far more than using one, so each locale gets one.
const dateFormats: Record<Locale, Intl.DateTimeFormat> = {
  de: new Intl.DateTimeFormat('de-DE', { dateStyle: 'medium', timeStyle: 'short' }),
  en: new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short' })
}

// Grouping from five digits on, so years (2024) stay as they are written.
const numberFormats: Record<Locale, Intl.NumberFormat> = {
  de: new Intl.NumberFormat('de-DE', { useGrouping: 'min2', maximumFractionDigits: 2 }),
  en: new Intl.NumberFormat('en-GB', { useGrouping: 'min2', maximumFractionDigits: 2 })
}

/** Numbers as people in the locale write them: 12.345,5 in German, 12,345.5 in English. */
export function formatNumber (value: number, locale: Locale): string {
  return numberFormats[locale].format(value)
}

/** Dates as people in the locale write them, in the server's time zone. */
export function formatDate (date: Date, locale: Locale): string {
  return dateFormats[locale].format(date)
}

const secondFormats: Record<Locale, Intl.DateTimeFormat> = {
  de: new Intl.DateTimeFormat('de-DE', { dateStyle: 'medium', timeStyle: 'medium' }),
  en: new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'medium' })
}

/** Dates to the second, for telling apart revisions saved within the same minute. */
export function formatDateToSecond (date: Date, locale: Locale): string {
  return secondFormats[locale].format(date)
}
