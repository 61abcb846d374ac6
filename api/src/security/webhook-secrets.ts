import { randomBytes } from 'node:crypto';

/** Standard Webhooks' secret format: `whsec_` and the base64 of the key's bytes. */
const SECRET_PREFIX = 'whsec_';
const SECRET_BYTES = 32;

/** A new signing secret, for outgoing notifications and incoming webhook hints alike. */
export const newWebhookSecret = () => `${SECRET_PREFIX}${randomBytes(SECRET_BYTES).toString('base64')}`;

/** The HMAC key a secret stands for (Standard Webhooks signs with the decoded bytes, not the text). */
export const webhookSigningKey = (secret: string) => Buffer.from(secret.slice(SECRET_PREFIX.length), 'base64');
