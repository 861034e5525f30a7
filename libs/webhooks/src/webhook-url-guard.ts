import { isIP } from 'node:net';
import type { LookupAddress, LookupOptions } from 'node:dns';
import { Injectable } from '@nestjs/common';
import { SwitchyardConfig } from '@switchyard/config';
import { InvalidRequestError } from '@switchyard/contracts';
import { AddressPolicy } from './address-policy';
import { HostResolver } from './host-resolver';

/** The shape `net.connect({ lookup })` calls, which undici passes through from `connect`. */
export type SocketLookup = (
  hostname: string,
  options: LookupOptions,
  callback: (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void,
) => void;

const PARAM = 'webhook.url';
const CODE = 'invalid_webhook_url';

/** A destination refused while sending; the socket error carries it to the delivery log. */
export class WebhookAddressRefusedError extends Error {
  readonly code = 'EWEBHOOKREFUSED';
}

/**
 * Keeps webhooks away from the gateway's own network (SSRF). Checked twice: at submit, so the
 * client hears about a bad URL at once, and at every connect, against the addresses the socket
 * will really use, so a name that resolves elsewhere later (DNS rebinding) gains nothing.
 */
@Injectable()
export class WebhookUrlGuard {
  private readonly policy: AddressPolicy;

  constructor(
    config: SwitchyardConfig,
    private readonly resolver: HostResolver,
  ) {
    this.policy = new AddressPolicy(config.webhooks.allowPrivate);
  }

  /** Throws a 400 `invalid_webhook_url` naming the reason, unless the URL may receive webhooks. */
  async checkAtSubmit(url: string): Promise<void> {
    const staticRefusal = this.refusalWithoutLookup(url);
    if (staticRefusal !== null) throw refused(staticRefusal);
    const hostname = hostnameOf(new URL(url));
    if (isIP(hostname) !== 0 || this.policy.allowsHostname(hostname)) return;
    let addresses: LookupAddress[];
    try {
      addresses = await this.resolver.resolve(hostname);
    } catch {
      throw refused(`host '${hostname}' does not resolve.`);
    }
    if (addresses.length === 0) throw refused(`host '${hostname}' does not resolve.`);
    const reason = this.firstRefusal(hostname, addresses);
    if (reason !== null) throw refused(reason);
  }

  /**
   * What can be judged from the URL alone: scheme, credentials, a refused name or literal IP.
   * The sender asks this before each attempt because sockets skip the lookup for a literal IP.
   */
  refusalWithoutLookup(url: string): string | null {
    if (!URL.canParse(url)) return 'it is not a valid absolute URL.';
    const parsed = new URL(url);
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return `it must use http or https, not ${parsed.protocol.replace(/:$/, '')}.`;
    if (parsed.username !== '' || parsed.password !== '') return 'it must not contain credentials (user:password@); the signature authenticates the gateway.';
    const hostname = hostnameOf(parsed);
    const hostRefusal = this.policy.hostnameRefusal(hostname);
    if (hostRefusal !== null) return `host '${hostname}' is ${hostRefusal}.`;
    if (isIP(hostname) !== 0) {
      const reason = this.policy.addressRefusal(hostname);
      if (reason !== null) return `${hostname} is ${reason}; webhooks only go to public addresses (an operator can allow private ones with webhooks.allow_private).`;
    }
    return null;
  }

  /**
   * For undici's `connect.lookup`: resolves, refuses the connection when any address is not
   * public, and hands the socket exactly the addresses it checked, so nothing resolves twice.
   */
  readonly lookupForSend: SocketLookup = (hostname, options, callback) => {
    this.resolveChecked(hostname).then(
      (addresses) => {
        const family = familyNumber(options.family);
        const usable = family === 0 ? addresses : addresses.filter((entry) => entry.family === family);
        if (usable.length === 0) {
          const error: NodeJS.ErrnoException = new Error(`${hostname} has no IPv${family} address`);
          error.code = 'ENOTFOUND';
          callback(error, '');
        } else if (options.all) callback(null, usable);
        else callback(null, usable[0].address, usable[0].family);
      },
      (error: NodeJS.ErrnoException) => callback(error, ''),
    );
  };

  private async resolveChecked(hostname: string): Promise<LookupAddress[]> {
    const addresses = await this.resolver.resolve(hostname);
    if (this.policy.allowsHostname(hostname)) return addresses;
    const hostRefusal = this.policy.hostnameRefusal(hostname);
    const reason = hostRefusal !== null ? `host '${hostname}' is ${hostRefusal}` : this.firstRefusal(hostname, addresses);
    if (reason !== null) throw new WebhookAddressRefusedError(`refused to connect: ${reason}`);
    return addresses;
  }

  /** Every address counts: a name with one public and one private address is refused. */
  private firstRefusal(hostname: string, addresses: readonly LookupAddress[]): string | null {
    for (const { address } of addresses) {
      const reason = this.policy.addressRefusal(address);
      if (reason !== null) return `host '${hostname}' resolves to ${address}, ${reason}; webhooks only go to public addresses (an operator can allow private ones with webhooks.allow_private).`;
    }
    return null;
  }
}

function refused(reason: string): InvalidRequestError {
  return new InvalidRequestError(`Invalid webhook.url: ${reason}`, PARAM, CODE);
}

/** URL keeps IPv6 literals in brackets; lookups and the policy want the bare address. */
function hostnameOf(url: URL): string {
  return url.hostname.replace(/^\[(.*)\]$/, '$1');
}

function familyNumber(family: LookupOptions['family']): number {
  if (family === 'IPv4') return 4;
  if (family === 'IPv6') return 6;
  return family ?? 0;
}
