/**
 * Marker-based paging for the List operations, as AWS does it: `Limit` items per page, and
 * while more remain, `Truncated: true` with a `NextMarker` to pass back as `Marker`. Our
 * marker is the sort key of the last item returned, so a page boundary survives inserts and
 * deletions between calls.
 */
import { InvalidMarkerException } from './errors.js'

export interface Page<T> {
  items: T[]
  NextMarker?: string
  Truncated: boolean
}

export function paginate<T>(sorted: T[], sortKey: (item: T) => string, limit: number, marker?: string, isValidMarker?: (m: string) => boolean): Page<T> {
  let start = 0
  if (marker !== undefined) {
    if (isValidMarker && !isValidMarker(marker)) throw new InvalidMarkerException(`Invalid marker ${marker}`)
    start = sorted.findIndex((item) => sortKey(item) > marker)
    if (start === -1) start = sorted.length
  }
  const items = sorted.slice(start, start + limit)
  const truncated = start + limit < sorted.length
  return truncated ? { items, NextMarker: sortKey(items[items.length - 1]!), Truncated: true } : { items, Truncated: false }
}

export const pageOut = <T>(p: Page<T>) => (p.Truncated ? { NextMarker: p.NextMarker!, Truncated: true } : { Truncated: false })
