/**
 * The few Workers runtime types this package uses. (@cloudflare/workers-types declares the
 * whole runtime as globals, which clash with the DOM lib @webkms/core is typed against; the
 * runtime itself provides everything declared here.)
 */
declare module 'cloudflare:workers' {
  export abstract class DurableObject<Env = unknown> {
    protected ctx: DurableObjectState
    protected env: Env
    constructor(ctx: DurableObjectState, env: Env)
  }
}

interface DurableObjectStorageValue {
  get(key: string): Promise<unknown>
  get(keys: string[]): Promise<Map<string, unknown>>
  put(key: string, value: unknown): Promise<void>
  put(entries: Record<string, unknown>): Promise<void>
  delete(keys: string[]): Promise<number>
  list(options: { prefix?: string; start?: string; end?: string; reverse?: boolean; limit?: number }): Promise<Map<string, unknown>>
  transaction<T>(closure: (txn: { put(entries: Record<string, unknown>): Promise<void>; delete(keys: string[]): Promise<number> }) => Promise<T>): Promise<T>
}

interface DurableObjectState {
  readonly storage: DurableObjectStorageValue
  blockConcurrencyWhile<T>(callback: () => Promise<T>): Promise<T>
}

interface DurableObjectId {
  toString(): string
}

/** A stub: its RPC methods are the object's public methods, returning promises. */
type DurableObjectStub<T> = {
  [K in keyof T]: T[K] extends (...args: infer A) => infer R ? (...args: A) => R extends Promise<unknown> ? R : Promise<R> : never
} & { fetch(request: Request): Promise<Response> }

interface DurableObjectNamespace<T = unknown> {
  idFromName(name: string): DurableObjectId
  newUniqueId(): DurableObjectId
  get(id: DurableObjectId): DurableObjectStub<T>
}

interface Fetcher {
  fetch(request: Request): Promise<Response>
}

interface ExportedHandler<Env = unknown> {
  fetch?(request: Request, env: Env, ctx: unknown): Response | Promise<Response>
}

declare module 'cloudflare:test' {
  export function runInDurableObject<R>(stub: unknown, callback: (instance: unknown, state: DurableObjectState) => R | Promise<R>): Promise<R>
}

declare module 'cloudflare:workers' {
  export const env: Record<string, unknown>
  export const exports: Record<string, Fetcher>
}
