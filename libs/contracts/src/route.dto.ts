import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsIn, IsOptional, IsString, MaxLength, MinLength, ValidateNested } from 'class-validator';
import { compose } from './compose-decorators';
import { ROUTING_STRATEGIES, type RoutingStrategy } from './job.types';

export const MAX_FALLBACK_MODELS = 10;

/** `models`: public fallback models, tried in order after the first model's own targets. */
export function FallbackModels(): PropertyDecorator {
  return compose(
    IsOptional(), IsArray(), ArrayMinSize(1), ArrayMaxSize(MAX_FALLBACK_MODELS),
    IsString({ each: true }), MinLength(1, { each: true }), MaxLength(256, { each: true }),
  );
}

/**
 * `route` on a job: public model names and a strategy, nothing else. A request can rearrange what
 * the configuration offers but never name an upstream URL, a provider or a credential.
 */
export class RouteDto {
  @FallbackModels()
  models?: string[];

  @IsOptional() @IsIn(ROUTING_STRATEGIES)
  strategy?: RoutingStrategy;
}


/** `route` on a job body: see RouteDto. */
export function RouteField(): PropertyDecorator {
  return compose(IsOptional(), ValidateNested(), Type(() => RouteDto));
}
