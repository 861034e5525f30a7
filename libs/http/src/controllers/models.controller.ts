import { Controller, Get, Param } from '@nestjs/common';
import { ModelNotFoundError, type ListObject, type ModelObject } from '@switchyard/contracts';
import { ModelRouter } from '@switchyard/routing';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors, ApiKeyAuth } from '../openapi/api-docs.decorators';

@Controller('v1/models')
@ApiTags('openai')
@ApiKeyAuth()
export class ModelsController {
  constructor(private readonly router: ModelRouter) {}

  @Get()
  @ApiOperation({ summary: 'The models and aliases this gateway routes' })
  @ApiOkResponse({ description: 'A list of model objects.' })
  list(): ListObject<ModelObject> {
    return { object: 'list', data: this.router.listModels() };
  }

  @Get(':id')
  @ApiOperation({ summary: 'One model or alias' })
  @ApiOkResponse({ description: 'The model object.' })
  @ApiErrors(404)
  get(@Param('id') id: string): ModelObject {
    const model = this.router.listModels().find((entry) => entry.id === id);
    if (!model) throw new ModelNotFoundError(id);
    return model;
  }
}
