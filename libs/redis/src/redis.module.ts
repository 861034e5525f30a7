import { Global, Module } from '@nestjs/common';
import { RedisConnections } from './redis-connections';
import { RedisSubscriber } from './redis-subscriber';

/** The process's shared Redis connections. Global: every lib that keeps state in Redis uses them. */
@Global()
@Module({ providers: [RedisConnections, RedisSubscriber], exports: [RedisConnections, RedisSubscriber] })
export class RedisModule {}
