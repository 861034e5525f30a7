import ipaddr from 'ipaddr.js';

type Address = ipaddr.IPv4 | ipaddr.IPv6;

/** Answer the metadata service's credentials to anyone who asks: never a webhook destination. */
const METADATA_ADDRESSES = ['169.254.169.254', 'fd00:ec2::254'].map((text) => ipaddr.parse(text).toNormalizedString());
const METADATA_HOSTNAMES = new Set(['metadata.google.internal', 'metadata.goog', 'metadata']);

const RANGE_NAMES: Readonly<Record<string, string>> = {
  loopback: 'a loopback address',
  private: 'a private address',
  uniqueLocal: 'a private (unique local) address',
  linkLocal: 'a link-local address',
  carrierGradeNat: 'a carrier-grade NAT address',
  multicast: 'a multicast address',
  unspecified: 'the unspecified address',
  broadcast: 'the broadcast address',
  reserved: 'a reserved address',
};

/** ::/96 holds the deprecated IPv4-compatible addresses; ipaddr.js calls them unicast. */
const IPV4_COMPATIBLE = ipaddr.parseCIDR('::/96');

/**
 * Which addresses a webhook may reach: public unicast only, unless the operator allowlisted a
 * CIDR or an exact hostname (`webhooks.allow_private`). IPv4-mapped IPv6 addresses are judged
 * as the IPv4 address they carry.
 */
export class AddressPolicy {
  private readonly cidrs: Array<[Address, number]> = [];
  private readonly hostnames = new Set<string>();

  constructor(allowPrivate: readonly string[]) {
    for (const entry of allowPrivate) {
      if (ipaddr.isValidCIDR(entry)) this.cidrs.push(ipaddr.parseCIDR(entry));
      else if (ipaddr.isValid(entry)) {
        const address = ipaddr.parse(entry);
        this.cidrs.push([address, address.kind() === 'ipv4' ? 32 : 128]);
      } else this.hostnames.add(normalizeHostname(entry));
    }
  }

  /** An allowlisted name is trusted whatever it resolves to: the operator named it. */
  allowsHostname(hostname: string): boolean {
    return this.hostnames.has(normalizeHostname(hostname));
  }

  /** Why a hostname is refused before any lookup, or null. */
  hostnameRefusal(hostname: string): string | null {
    if (this.allowsHostname(hostname)) return null;
    return METADATA_HOSTNAMES.has(normalizeHostname(hostname)) ? 'a cloud metadata service' : null;
  }

  /** Why an address is refused ("a loopback address"), or null when a webhook may go there. */
  addressRefusal(text: string): string | null {
    if (!ipaddr.isValid(text)) return 'not an IP address';
    const original = ipaddr.parse(text);
    const address = ipaddr.process(text);
    if (this.allowlisted(original) || this.allowlisted(address)) return null;
    if (METADATA_ADDRESSES.includes(address.toNormalizedString())) return 'a cloud metadata address';
    const range = address.range();
    if (range !== 'unicast') return RANGE_NAMES[range] ?? `a special-purpose address (${range})`;
    if (address.kind() === 'ipv6' && address.match(IPV4_COMPATIBLE)) return 'an IPv4-compatible IPv6 address';
    return null;
  }

  private allowlisted(address: Address): boolean {
    return this.cidrs.some(([network, bits]) => network.kind() === address.kind() && address.match(network, bits));
  }
}

/** Hostnames compare without case and without the root's trailing dot. */
export function normalizeHostname(hostname: string): string {
  return hostname.toLowerCase().replace(/\.$/, '');
}
