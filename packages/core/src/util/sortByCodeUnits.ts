/**
 * Sorts `items` in place by `key`, comparing UTF-16 code units as the default sort orders
 * strings (stable, as it is). Short arrays are sorted by insertion: V8's sort allocates working
 * storage on every call, and this runs on every call's audit event and encryption context.
 */
export function sortByCodeUnits<T>(items: T[], key: (item: T) => string): T[] {
  if (items.length > 32) return items.sort((a, b) => compareCodeUnits(key(a), key(b)))
  for (let i = 1; i < items.length; i++) {
    const item = items[i]!
    const k = key(item)
    let j = i - 1
    for (; j >= 0 && key(items[j]!) > k; j--) items[j + 1] = items[j]!
    items[j + 1] = item
  }
  return items
}

const compareCodeUnits = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0)
