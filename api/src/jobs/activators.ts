import type { Logger } from 'pino';
import type { Db } from '../db/client.ts';
import type { Services } from '../app.ts';
import { ContactActivator } from '../brevo/activation.ts';
import { EventActivator } from '../events/activation.ts';
import { EVENT_ENTITY } from '../events/service.ts';
import type { Activators } from './activation-workers.ts';

/** The activator of every entity type the outbox carries, keyed as the outbox names them. */
export function createActivators(db: Db, services: Pick<Services, 'brevoAccounts' | 'deadLetters'>, log: Logger): Activators {
  return {
    contact: new ContactActivator(db, services.brevoAccounts, services.deadLetters, log),
    [EVENT_ENTITY]: new EventActivator(db, services.brevoAccounts, services.deadLetters, log),
  };
}
