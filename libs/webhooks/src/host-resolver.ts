import type { LookupAddress } from 'node:dns';
import { lookup } from 'node:dns/promises';
import { Injectable } from '@nestjs/common';

/** Every address a hostname resolves to, as the OS resolver answers; a class so tests swap it. */
@Injectable()
export class HostResolver {
  async resolve(hostname: string): Promise<LookupAddress[]> {
    return lookup(hostname, { all: true, order: 'verbatim' });
  }
}
