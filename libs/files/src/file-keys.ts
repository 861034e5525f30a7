import { Injectable } from '@nestjs/common';
import { SwitchyardConfig } from '@switchyard/config';

/**
 * Every Redis key of the file store, under the configured prefix (a hash tag on Redis Cluster, so
 * a file's keys and its owner's index share a slot with everything else).
 */
@Injectable()
export class FileKeys {
  private readonly prefix: string;

  constructor(config: SwitchyardConfig) {
    this.prefix = config.redis.prefix;
  }

  /** The file's metadata hash; it exists only once the whole content is stored. */
  file(id: string): string {
    return `${this.prefix}:file:${id}`;
  }

  /** The content, a list of pieces of at most FILE_CHUNK_BYTES each. */
  chunks(id: string): string {
    return `${this.prefix}:file-chunks:${id}`;
  }

  /** Batches that still read the file; it cannot be deleted under them. */
  pins(id: string): string {
    return `${this.prefix}:file-pins:${id}`;
  }

  /** The owner's files, scored by creation time. */
  ownerFiles(owner: string): string {
    return `${this.prefix}:files:${owner}`;
  }
}
