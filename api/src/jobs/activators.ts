import type { Logger } from 'pino';
import type { Db } from '../db/client.ts';
import type { Services } from '../app.ts';
import { ContactActivator } from '../brevo/activation.ts';
import { DEFAULT_OBJECT_ACTIVATION, ObjectAssociationActivator, ObjectRecordActivator, type ObjectActivationOptions } from '../brevo/object-activation.ts';
import { OBJECT_ASSOCIATION_ENTITY, OBJECT_RECORD_ENTITY } from '../objects/service.ts';
import { EventActivator } from '../events/activation.ts';
import { EVENT_ENTITY } from '../events/service.ts';
import { BrevoLists, ListActivator, ListMembershipActivator } from '../brevo/list-activation.ts';
import { MessageActivator } from '../brevo/message-activation.ts';
import { CampaignDraftActivator } from '../brevo/campaign-activation.ts';
import { CAMPAIGN_DRAFT_ENTITY } from '../campaigns/service.ts';
import { LIST_ENTITY, LIST_MEMBERSHIP_ENTITY } from '../lists/service.ts';
import { MESSAGE_ENTITY } from '../messages/service.ts';
import type { Activators, OutboxConsumer } from './activation-workers.ts';
import { WebhookDeliveries, type WebhookDeliveryOptions } from '../webhooks/delivery.ts';
import { SyncWorkers, type SyncWorkerOptions } from '../sync/workers.ts';
import { HintRefetches } from '../hints/refetch.ts';

/** The activator of every entity type the outbox carries, keyed as the outbox names them. */
export function createActivators(
  db: Db,
  services: Pick<Services, 'brevoAccounts' | 'brevoCatalog' | 'deadLetters'>,
  log: Logger,
  objectOptions: Partial<ObjectActivationOptions> = {},
): Activators {
  const objects = { ...DEFAULT_OBJECT_ACTIVATION, ...objectOptions };
  const lists = new BrevoLists(db, services.brevoCatalog);
  return {
    contact: new ContactActivator(db, services.brevoAccounts, services.brevoCatalog, services.deadLetters, log),
    [EVENT_ENTITY]: new EventActivator(db, services.brevoAccounts, services.deadLetters, log),
    [LIST_ENTITY]: new ListActivator(services.brevoAccounts, lists, services.deadLetters, log),
    [LIST_MEMBERSHIP_ENTITY]: new ListMembershipActivator(db, services.brevoAccounts, lists, services.deadLetters, log),
    [MESSAGE_ENTITY]: new MessageActivator(db, services.brevoAccounts, services.deadLetters, log),
    [CAMPAIGN_DRAFT_ENTITY]: new CampaignDraftActivator(db, services.brevoAccounts, lists, services.deadLetters, log),
    [OBJECT_RECORD_ENTITY]: new ObjectRecordActivator(db, services.brevoAccounts, services.deadLetters, log, objects),
    [OBJECT_ASSOCIATION_ENTITY]: new ObjectAssociationActivator(db, services.brevoAccounts, services.deadLetters, log, objects),
  };
}

export interface ConsumerOptions {
  webhooks?: Partial<WebhookDeliveryOptions>;
  sync?: Partial<SyncWorkerOptions>;
}

/** The outbox's other work on the same job engine: webhook notifications, sync jobs, hint refetches. */
export function createOutboxConsumers(
  db: Db,
  services: Pick<Services, 'webhooks' | 'contacts' | 'events' | 'deadLetters' | 'workato' | 'sourceIngest'>,
  log: Logger,
  options: ConsumerOptions = {},
): OutboxConsumer[] {
  return [
    new WebhookDeliveries(db, services, log, options.webhooks),
    new SyncWorkers(db, services.workato, services.sourceIngest, log, options.sync),
    new HintRefetches(db, services.workato, services.sourceIngest, log),
  ];
}
