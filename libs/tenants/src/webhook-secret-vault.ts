import { Injectable, Logger } from '@nestjs/common';
import { SwitchyardConfig } from '@switchyard/config';
import type { StoredApiKey } from './api-key-record';
import { SecretBox, UnreadableSecretError } from './secret-box';

/** Binds a sealed secret to its key's name, so it does not open in another key's record. */
const contextOf = (keyName: string): string => `switchyard:api-key:${keyName}:webhook-secret`;

/**
 * Run-time keys' webhook secrets in Redis. Signing needs each secret itself, so it cannot be
 * hashed like the key: it is sealed with auth.secrets_key. Without that key the gateway stores
 * none, and run-time keys get no webhook secret (see ApiKeyAdmin).
 */
@Injectable()
export class WebhookSecretVault {
  private readonly logger = new Logger(WebhookSecretVault.name);
  private readonly box?: SecretBox;
  /** Keys whose secret could not be used, already logged by this process. */
  private readonly reported = new Set<string>();

  constructor(config: SwitchyardConfig) {
    if (config.auth.secretsKey) this.box = new SecretBox(config.auth.secretsKey);
  }

  /** False without auth.secrets_key. */
  get canSeal(): boolean {
    return this.box !== undefined;
  }

  seal(keyName: string, secret: string): string {
    if (!this.box) throw new Error('no auth.secrets_key to seal a webhook secret with');
    return this.box.seal(secret, contextOf(keyName));
  }

  /** The secret to sign the key's deliveries with; undefined when it has none or it cannot be read. */
  open(stored: StoredApiKey): string | undefined {
    const value = stored.webhook.secret;
    if (value === undefined) return undefined;
    if (!SecretBox.isSealed(value)) {
      // Written in clear by a gateway from before secrets were sealed: it still signs.
      this.reportOnce(stored.name, 'is stored in clear (written by an older gateway); revoke the key and create a new one');
      return value;
    }
    if (!this.box) {
      this.reportOnce(stored.name, 'is sealed, but no auth.secrets_key is configured: its deliveries fail until it is');
      return undefined;
    }
    try {
      return this.box.open(value, contextOf(stored.name));
    } catch (error) {
      if (!(error instanceof UnreadableSecretError)) throw error;
      this.reportOnce(stored.name, 'does not open with the configured auth.secrets_key (was the key changed?): its deliveries fail');
      return undefined;
    }
  }

  private reportOnce(keyName: string, problem: string): void {
    if (this.reported.has(keyName)) return;
    this.reported.add(keyName);
    this.logger.warn(`the webhook secret of run-time API key '${keyName}' ${problem}`);
  }
}
