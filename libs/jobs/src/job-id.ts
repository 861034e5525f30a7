import { newUlid } from '@switchyard/contracts';

const JOB_ID = /^job_[0-9A-HJKMNP-TV-Z]{26}$/;

/** ULIDs sort by creation time, which keeps ids in Redis and logs in submission order. */
export const newJobId = (): string => `job_${newUlid()}`;

export const isJobId = (value: string): boolean => JOB_ID.test(value);
