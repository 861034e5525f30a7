export { deepJson, headerValue, hostileKey, hostileNumber, hostileString, hostileValue, PROTOTYPE_KEYS, SMUGGLED_KEYS } from './hostile-values';
export { JSON_PATHS, jsonBodyRequest, listRequest, pathIdRequest, rawBodyRequest, type Caller, type FuzzRequest } from './requests';
export { uploadRequest } from './uploads';
