import { ulid } from 'ulid';

const JOB_ID = /^job_[0-9A-HJKMNP-TV-Z]{26}$/;

/** ULIDs sort by creation time, which keeps ids in Redis and logs in submission order. */
export const newJobId = (): string => `job_${ulid()}`;

export const isJobId = (value: string): boolean => JOB_ID.test(value);
