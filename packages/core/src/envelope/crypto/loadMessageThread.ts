/**
 * The message thread's module (messageThread.ts: Node), loaded only when a large one-shot message
 * asks for it, so a browser bundle never fetches it. Undefined where it cannot load (a bundle
 * without its chunk): the work then stays on this thread.
 */
let loading: Promise<typeof import('./messageThread.js') | undefined> | undefined

export const loadMessageThread = () => (loading ??= import('./messageThread.js').catch(() => undefined))
