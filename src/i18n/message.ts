/**
 * A message whose words depend on a number, the `count` parameter: one text per plural
 * category the language has (Unicode CLDR, as `Intl.PluralRules` names them). German and
 * English need `one` and `other`; `other` is the fallback every language has.
 */
export interface PluralMessage {
  readonly zero?: string
  readonly one?: string
  readonly two?: string
  readonly few?: string
  readonly many?: string
  readonly other: string
}

export type Message = string | PluralMessage

/** Every text a message can show, for checks over the whole catalogue. */
export function variantsOf (message: Message): string[] {
  return typeof message === 'string' ? [message] : Object.values(message)
}
