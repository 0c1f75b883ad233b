/**
 * IPv4 and IPv6 addresses and CIDR blocks for the IpAddress / NotIpAddress operators and
 * `aws:SourceIp` (RFC 4632 for IPv4 CIDR, RFC 4291 §2.2-2.3 for IPv6 text forms).
 * An address is a BigInt plus its width in bits; an IPv4-mapped IPv6 address
 * (::ffff:a.b.c.d) counts as the IPv4 address.
 */
export interface IpAddress {
  bits: 32 | 128
  value: bigint
}
export interface CidrBlock extends IpAddress {
  prefix: number
}

function parseIpv4(text: string): bigint | undefined {
  const parts = text.split('.')
  if (parts.length !== 4) return undefined
  let value = 0n
  for (const part of parts) {
    if (!/^(0|[1-9]\d{0,2})$/.test(part) || Number(part) > 255) return undefined
    value = (value << 8n) | BigInt(part)
  }
  return value
}

function parseIpv6(text: string): bigint | undefined {
  let groups: string[]
  let tailV4: bigint | undefined
  const lastColon = text.lastIndexOf(':')
  if (text.includes('.')) {
    tailV4 = parseIpv4(text.slice(lastColon + 1))
    if (tailV4 === undefined) return undefined
    text = `${text.slice(0, lastColon + 1)}0:0`
  }
  const halves = text.split('::')
  if (halves.length > 2) return undefined
  const head = halves[0] ? halves[0].split(':') : []
  const tail = halves.length === 2 && halves[1] ? halves[1].split(':') : []
  if (halves.length === 2) {
    const missing = 8 - head.length - tail.length
    if (missing < 1) return undefined
    groups = [...head, ...Array<string>(missing).fill('0'), ...tail]
  } else {
    groups = head
  }
  if (groups.length !== 8 || !groups.every((g) => /^[0-9a-f]{1,4}$/i.test(g))) return undefined
  let value = groups.reduce((acc, g) => (acc << 16n) | BigInt(`0x${g}`), 0n)
  if (tailV4 !== undefined) value = (value & ~0xffffffffn) | tailV4
  return value
}

export function parseIp(text: string): IpAddress | undefined {
  const v4 = parseIpv4(text)
  if (v4 !== undefined) return { bits: 32, value: v4 }
  const v6 = parseIpv6(text)
  if (v6 === undefined) return undefined
  if (v6 >> 32n === 0xffffn) return { bits: 32, value: v6 & 0xffffffffn } // ::ffff:a.b.c.d
  return { bits: 128, value: v6 }
}

/** `a.b.c.d/n`, `x::y/n`, or a bare address (a /32 or /128 block). */
export function parseCidr(text: string): CidrBlock | undefined {
  const [address, prefixText, extra] = text.split('/')
  if (extra !== undefined || address === undefined) return undefined
  if (prefixText !== undefined && !/^\d{1,3}$/.test(prefixText)) return undefined
  if (address.includes(':')) {
    // An IPv6 block keeps 128-bit prefixes; one inside ::ffff:0:0/96 is the IPv4 block it maps.
    const value = parseIpv6(address)
    const prefix = prefixText === undefined ? 128 : Number(prefixText)
    if (value === undefined || prefix > 128) return undefined
    if (value >> 32n === 0xffffn && prefix >= 96) return { bits: 32, value: value & 0xffffffffn, prefix: prefix - 96 }
    return { bits: 128, value, prefix }
  }
  const ip = parseIp(address)
  if (!ip) return undefined
  const prefix = prefixText === undefined ? ip.bits : Number(prefixText)
  return prefix <= ip.bits ? { ...ip, prefix } : undefined
}

export function cidrContains(block: CidrBlock, ip: IpAddress): boolean {
  if (block.bits !== ip.bits) return false
  const shift = BigInt(block.bits - block.prefix)
  return block.value >> shift === ip.value >> shift
}
