import { lookup as dnsLookup, promises as dnsPromises, type LookupAddress, type LookupOptions } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';

/** Thrown (through the socket) when a host resolves to an address the crawler must not reach. */
export class PrivateAddressError extends Error {
  readonly code = 'EPRIVATEADDRESS';

  constructor(host: string, address: string) {
    super(`${host} resolves to ${address}, a private, loopback or link-local address (use --allow-private to allow it)`);
    this.name = 'PrivateAddressError';
  }
}

/** True for addresses on the public internet: everything ipaddr.js calls plain `unicast`. */
export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  return ipaddr.process(address).range() === 'unicast';
}

/** Throws `PrivateAddressError` when `hostname` is an IP literal that is not public. */
export function checkLiteralHost(hostname: string): void {
  const bare = hostname.startsWith('[') ? hostname.slice(1, -1) : hostname;
  if (isIP(bare) !== 0 && !isPublicAddress(bare)) throw new PrivateAddressError(hostname, bare);
}

/**
 * A `lookup` for `http.request` that resolves as usual and then refuses private
 * addresses. The check runs on the address the socket will connect to, so a
 * DNS answer cannot change between the check and the connection.
 */
export const publicOnlyLookup: LookupFunction = (hostname, options, callback) => {
  dnsLookup(hostname, options as LookupOptions, (error, address, family) => {
    if (error) return callback(error, address as string, family);
    const all: LookupAddress[] = Array.isArray(address) ? address : [{ address: address as string, family: family ?? 4 }];
    const refused = all.find((entry) => !isPublicAddress(entry.address));
    if (refused) return callback(new PrivateAddressError(hostname, refused.address) as NodeJS.ErrnoException, '', 4);
    if (Array.isArray(address)) (callback as (e: null, a: LookupAddress[]) => void)(null, all);
    else callback(null, address as string, family);
  });
};

/**
 * Resolves `hostname` as a connection would and throws `PrivateAddressError`
 * when any address it gives is not public. For requests whose connection is
 * made by someone else (a proxy): it runs before the request leaves.
 */
export async function checkPublicHost(hostname: string): Promise<void> {
  checkLiteralHost(hostname);
  const bare = hostname.startsWith('[') ? hostname.slice(1, -1) : hostname;
  if (isIP(bare) !== 0) return;
  const addresses = await dnsPromises.lookup(bare, { all: true });
  const refused = addresses.find((entry) => !isPublicAddress(entry.address));
  if (refused) throw new PrivateAddressError(hostname, refused.address);
}
