export { FilesModule } from './files.module';
export { FileStore, type FileListQuery, type FilePage } from './file-store';
export { FileWriter, FILE_CHUNK_BYTES, type FileMeta } from './file-writer';
export { fileNotFound, isFileId, newFileId, toFileObject, type FileRecord } from './file-record';
export { LineSplitter, LineTooLongError, readLines, type NumberedLine } from './line-splitter';
export { JsonlCheck, isBlank, jsonObjectProblem, type LineProblem } from './jsonl-check';
export { UploadFile, type UploadPart } from './use-cases/upload-file';
export { ListFiles, type ListFilesQuery } from './use-cases/list-files';
