/**
 * Exclusive locks by name for a context without Web Locks (Node 20, where the stores sharing a
 * database are those of one process, on fake-indexeddb): the stores of this JS realm queue on
 * them as tabs queue on `navigator.locks`. A lock is held until its callback's promise settles,
 * as a Web Lock is. Only what IdbKeyStore asks for: exclusive mode, no abort signal.
 */

/** The part of `LockManager` IdbKeyStore uses. */
export interface ExclusiveLocks {
  request<T>(name: string, options: { mode: 'exclusive' }, callback: () => Promise<T>): Promise<T>
}

/** The last holder's settling, by lock name: each request runs after the one before it. */
const tails = new Map<string, Promise<void>>()

export const realmLocks: ExclusiveLocks = {
  request<T>(name: string, _options: { mode: 'exclusive' }, callback: () => Promise<T>): Promise<T> {
    const held = (tails.get(name) ?? Promise.resolve()).then(callback)
    const tail = held.then(
      () => undefined,
      () => undefined,
    )
    tails.set(name, tail)
    void tail.then(() => {
      if (tails.get(name) === tail) tails.delete(name) // nobody queued behind it
    })
    return held
  },
}
