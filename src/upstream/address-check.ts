import { isIP } from 'node:net';

/**
 * Which IP addresses an outbound fetch made on a client's behalf (an image URL) may connect to.
 * Everything that is not a public unicast address is refused: the point is that a client cannot
 * make llmux reach a service that only llmux's network can see (a database on loopback, the cloud
 * metadata service on 169.254.169.254, a neighbour on the private network).
 *
 * The check is made on the address about to be connected to, after name resolution, so every
 * spelling of an address (2130706433, 0x7f000001, 127.1, [::ffff:127.0.0.1]) and every name that
 * resolves to one (localhost, a rebinding DNS name) ends up here in its one canonical form.
 */

/** [first address as a 32-bit number, prefix length, why it is refused] */
const V4_BLOCKS: ReadonlyArray<readonly [number, number, string]> = [
  [v4('0.0.0.0'), 8, 'an unspecified address'],
  [v4('10.0.0.0'), 8, 'a private address'],
  [v4('100.64.0.0'), 10, 'a shared (CGNAT) address'],
  [v4('127.0.0.0'), 8, 'a loopback address'],
  [v4('169.254.0.0'), 16, 'a link-local address'],
  [v4('172.16.0.0'), 12, 'a private address'],
  [v4('192.0.0.0'), 24, 'a reserved address'],
  [v4('192.168.0.0'), 16, 'a private address'],
  [v4('198.18.0.0'), 15, 'a reserved address'],
  [v4('224.0.0.0'), 4, 'a multicast address'],
  [v4('240.0.0.0'), 4, 'a reserved address'],
];

function v4(text: string): number {
  const parts = text.split('.').map(Number);
  return (((parts[0] ?? 0) << 24) | ((parts[1] ?? 0) << 16) | ((parts[2] ?? 0) << 8) | (parts[3] ?? 0)) >>> 0;
}

function classifyV4(n: number): string | undefined {
  for (const [base, bits, why] of V4_BLOCKS) {
    const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
    if ((n & mask) >>> 0 === base) return why;
  }
  return undefined;
}

/** `::ffff:1.2.3.4`, `fe80::1%eth0`, `::` → eight 16-bit groups; undefined when not IPv6. */
export function ipv6Groups(text: string): number[] | undefined {
  let s = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  const zone = s.indexOf('%');
  if (zone >= 0) s = s.slice(0, zone);
  if (isIP(s) !== 6) return undefined;
  let tail: number[] = [];
  const lastColon = s.lastIndexOf(':');
  const last = s.slice(lastColon + 1);
  if (last.includes('.')) {
    const n = v4(last);
    tail = [n >>> 16, n & 0xffff];
    s = `${s.slice(0, lastColon + 1)}0:0`;
  }
  const [head = '', rest] = s.split('::') as [string, string | undefined];
  const parse = (part: string): number[] => (part === '' ? [] : part.split(':').map((h) => parseInt(h, 16)));
  let groups: number[];
  if (rest === undefined) groups = parse(head);
  else {
    const a = parse(head);
    const b = parse(rest);
    groups = [...a, ...new Array<number>(8 - a.length - b.length).fill(0), ...b];
  }
  if (tail.length === 2) groups.splice(6, 2, tail[0] ?? 0, tail[1] ?? 0);
  return groups.length === 8 ? groups : undefined;
}

/**
 * Why `address` (an IP literal, as resolved or as written) may not be connected to, or undefined
 * when it is a public address. Anything that is not a valid IP is refused too.
 */
export function refusedAddress(address: string): string | undefined {
  if (isIP(address) === 4) return classifyV4(v4(address));
  const g = ipv6Groups(address);
  if (g === undefined) return 'not an IP address';
  const [g0 = 0, g1 = 0, g2 = 0, g3 = 0, g4 = 0, g5 = 0, g6 = 0, g7 = 0] = g;
  const embeddedV4 = ((g6 << 16) | g7) >>> 0;
  const zeroTo = (n: number): boolean => g.slice(0, n).every((x) => x === 0);
  if (zeroTo(8)) return 'an unspecified address';
  if (zeroTo(7) && g7 === 1) return 'a loopback address';
  // ::ffff:a.b.c.d (mapped), ::a.b.c.d (compatible), 64:ff9b::a.b.c.d (NAT64): the IPv4 inside decides.
  if (zeroTo(5) && g5 === 0xffff) return classifyV4(embeddedV4);
  if (zeroTo(6)) return classifyV4(embeddedV4) ?? 'a reserved address';
  if (g0 === 0x64 && g1 === 0xff9b && g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0) return classifyV4(embeddedV4);
  if (g0 === 0x2002) return classifyV4(((g1 << 16) | g2) >>> 0);
  if ((g0 & 0xfe00) === 0xfc00) return 'a private (unique local) address';
  if ((g0 & 0xffc0) === 0xfe80) return 'a link-local address';
  if ((g0 & 0xffc0) === 0xfec0) return 'a site-local address';
  if ((g0 & 0xff00) === 0xff00) return 'a multicast address';
  return undefined;
}
