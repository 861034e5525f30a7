import { Controller, Get, Param } from '@nestjs/common';
import { ModelNotFoundError, type ListObject, type ModelObject } from '@switchyard/contracts';
import { ModelRouter } from '@switchyard/routing';

@Controller('v1/models')
export class ModelsController {
  constructor(private readonly router: ModelRouter) {}

  @Get()
  list(): ListObject<ModelObject> {
    return { object: 'list', data: this.router.listModels() };
  }

  @Get(':id')
  get(@Param('id') id: string): ModelObject {
    const model = this.router.listModels().find((entry) => entry.id === id);
    if (!model) throw new ModelNotFoundError(id);
    return model;
  }
}
