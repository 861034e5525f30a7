// class-transformer ships its metadata storage (needed to follow @Type to nested DTOs) without
// typings for the CommonJS path that shares the instance its decorators write to.
declare module 'class-transformer/cjs/storage' {
  export { defaultMetadataStorage } from 'class-transformer/types/storage';
}
