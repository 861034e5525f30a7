import { createHmac } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { WebhookSecret } from '@switchyard/config';

export interface WebhookHeaders {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
}

const SECRET_PREFIX = 'whsec_';

/**
 * Standard Webhooks signatures (https://www.standardwebhooks.com): HMAC-SHA256 over
 * `${id}.${timestamp}.${body}` with the base64-decoded secret. During a rotation every secret
 * still valid signs, space-separated, so receivers holding either one verify.
 */
@Injectable()
export class WebhookSigner {
  sign(msgId: string, timestampS: number, body: string, secrets: readonly WebhookSecret[], nowMs = Date.now()): WebhookHeaders {
    const keys = validSecrets(secrets, nowMs);
    if (keys.length === 0) throw new Error('no webhook secret to sign with');
    const content = `${msgId}.${timestampS}.${body}`;
    const signatures = keys.map((key) => `v1,${createHmac('sha256', key).update(content, 'utf8').digest('base64')}`);
    return { 'webhook-id': msgId, 'webhook-timestamp': String(timestampS), 'webhook-signature': signatures.join(' ') };
  }
}

/** The current secret always; a previous one only until its end. */
function validSecrets(secrets: readonly WebhookSecret[], nowMs: number): Buffer[] {
  return secrets
    .filter((secret, index) => index === 0 || secret.untilMs === undefined || secret.untilMs > nowMs)
    .map(({ secret }) => Buffer.from(secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret, 'base64'))
    .filter((key) => key.length > 0);
}
