import { Module } from '@nestjs/common';
import { CachePolicy } from './cache-policy';
import { InflightCalls } from './inflight-calls';
import { ResponseCache } from './response-cache';

/** Needs the global config and RedisModule in the app. */
@Module({ providers: [CachePolicy, ResponseCache, InflightCalls], exports: [CachePolicy, ResponseCache, InflightCalls] })
export class CacheModule {}
