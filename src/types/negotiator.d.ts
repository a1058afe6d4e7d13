// The package ships no types and none are installed; only what Praxiswiki calls is declared.
declare module 'negotiator' {
  interface NegotiatorRequest {
    headers: Record<string, string | string[] | undefined>
  }

  class Negotiator {
    constructor (request: NegotiatorRequest)
    /** The best of `available` for the Accept-Language header, or undefined when none is acceptable. */
    language (available: readonly string[]): string | undefined
    /** The best of `available` for the Accept header, or undefined when none is acceptable. */
    mediaType (available: readonly string[]): string | undefined
    /** The types the Accept header names, best first, without their parameters. */
    mediaTypes (): string[]
  }

  export = Negotiator
}
