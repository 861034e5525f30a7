import { Global, Module, type DynamicModule } from '@nestjs/common';
import { SwitchyardConfig } from './switchyard-config';

/**
 * Global so every module can inject SwitchyardConfig without importing this one. The config
 * is loaded before Nest starts (a bad file must stop the process before anything connects),
 * hence a ready value rather than a factory.
 */
@Global()
@Module({})
export class ConfigModule {
  static forRoot(config: SwitchyardConfig): DynamicModule {
    return {
      module: ConfigModule,
      global: true,
      providers: [{ provide: SwitchyardConfig, useValue: config }],
      exports: [SwitchyardConfig],
    };
  }
}
