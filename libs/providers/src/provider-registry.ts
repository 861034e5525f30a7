import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { SwitchyardConfig } from '@switchyard/config';
import type { ProviderAdapter } from './provider-adapter';
import { createProviderAdapter } from './provider-families';

/** One adapter per configured provider, built at boot so a bad provider entry stops the process early. */
@Injectable()
export class ProviderRegistry implements OnApplicationShutdown {
  private readonly adapters = new Map<string, ProviderAdapter>();

  constructor(config: SwitchyardConfig) {
    for (const provider of config.providers.values()) this.adapters.set(provider.name, createProviderAdapter(provider));
  }

  get(name: string): ProviderAdapter {
    const adapter = this.adapters.get(name);
    if (!adapter) throw new Error(`unknown provider '${name}'`);
    return adapter;
  }

  names(): string[] {
    return [...this.adapters.keys()];
  }

  async onApplicationShutdown(): Promise<void> {
    // One adapter failing to close must not keep the others' sockets open.
    await Promise.allSettled([...this.adapters.values()].map((adapter) => adapter.close()));
  }
}
