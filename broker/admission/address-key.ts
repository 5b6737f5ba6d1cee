import { isIPv6 } from 'node:net';

/**
 * The key limits are counted under: an IPv4 address, or an IPv6 address's /64, since
 * one IPv6 host usually holds a whole /64 and could otherwise change address per try.
 */
export function addressKey(remoteAddress: string | undefined): string {
  if (remoteAddress === undefined) return 'unknown';
  const mapped = remoteAddress.startsWith('::ffff:') ? remoteAddress.slice(7) : remoteAddress;
  if (!isIPv6(mapped)) return mapped;
  return `${expandIPv6(mapped).slice(0, 4).join(':')}::/64`;
}

function expandIPv6(address: string): string[] {
  const [head = '', tail] = address.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  const missing = Math.max(0, 8 - left.length - right.length);
  return [...left, ...Array<string>(missing).fill('0'), ...right].map((group) =>
    (group.replace(/^0+/, '') || '0').toLowerCase(),
  );
}
