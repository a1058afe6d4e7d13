/**
 * A small typed event bus. Subscribers (search indexer, federation publisher) run
 * after the store write has committed; a failing subscriber is reported, and never
 * undoes or fails the write that caused the event.
 */
export type Listener<Payload> = (payload: Payload) => void | Promise<void>

export class EventBus<Events extends Record<string, unknown>> {
  readonly #listeners = new Map<PropertyKey, Set<Listener<never>>>()
  readonly #onError: (error: unknown, event: PropertyKey) => void

  constructor (options: { onError?: (error: unknown, event: PropertyKey) => void } = {}) {
    this.#onError = options.onError ?? ((error) => { queueMicrotask(() => { throw error }) })
  }

  /** Subscribes; the returned function unsubscribes. */
  on<Name extends keyof Events> (name: Name, listener: Listener<Events[Name]>): () => void {
    let listeners = this.#listeners.get(name)
    if (listeners === undefined) {
      listeners = new Set()
      this.#listeners.set(name, listeners)
    }
    listeners.add(listener as Listener<never>)
    return () => { listeners.delete(listener as Listener<never>) }
  }

  /** Resolves with the next payload of `name`; lets tests wait for an event instead of sleeping. */
  once<Name extends keyof Events> (name: Name): Promise<Events[Name]> {
    return new Promise(resolve => {
      const off = this.on(name, payload => { off(); resolve(payload) })
    })
  }

  emit<Name extends keyof Events> (name: Name, payload: Events[Name]): void {
    for (const listener of [...(this.#listeners.get(name) ?? [])]) {
      try {
        const result = (listener as Listener<Events[Name]>)(payload)
        if (result instanceof Promise) result.catch(error => this.#onError(error, name))
      } catch (error) {
        this.#onError(error, name)
      }
    }
  }
}
