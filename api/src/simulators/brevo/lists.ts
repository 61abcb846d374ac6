import type { FastifyInstance } from 'fastify';
import { BrevoError, parse, type BrevoSimulatorState, type SimulatedContact } from './server.ts';
import { ZAddContactsToList, ZCreateFolder, ZCreateList, ZPageQuery, ZRemoveContactsFromList, ZUpdateList } from './schemas.ts';

export interface SimulatedFolder {
  id: number;
  name: string;
}

export interface SimulatedList {
  id: number;
  name: string;
  folderId: number;
  createdAt: string;
}

/** Brevo's folders and lists. Membership lives on the contacts (`listIds`), as Brevo shows it. */
export class SimulatedListStore {
  readonly folders = new Map<number, SimulatedFolder>();
  readonly lists = new Map<number, SimulatedList>();
  #nextFolderId = 1;
  #nextListId = 1;

  createFolder(name: string): SimulatedFolder {
    if ([...this.folders.values()].some((folder) => folder.name === name)) throw new BrevoError(400, 'duplicate_parameter', 'Folder name already exists');
    const folder = { id: this.#nextFolderId++, name };
    this.folders.set(folder.id, folder);
    return folder;
  }

  createList(name: string, folderId: number): SimulatedList {
    if (!this.folders.has(folderId)) throw new BrevoError(400, 'invalid_parameter', 'Folder ID does not exist');
    this.#checkName(name, folderId);
    const list = { id: this.#nextListId++, name, folderId, createdAt: new Date().toISOString() };
    this.lists.set(list.id, list);
    return list;
  }

  update(list: SimulatedList, change: { name?: string | undefined; folderId?: number | undefined }) {
    const folderId = change.folderId ?? list.folderId;
    if (!this.folders.has(folderId)) throw new BrevoError(400, 'invalid_parameter', 'Folder ID does not exist');
    this.#checkName(change.name ?? list.name, folderId, list.id);
    Object.assign(list, { name: change.name ?? list.name, folderId });
  }

  get(listId: string): SimulatedList {
    const list = this.lists.get(Number(listId));
    if (!list) throw new BrevoError(404, 'document_not_found', 'List ID does not exist');
    return list;
  }

  /** List names are unique within a folder. */
  #checkName(name: string, folderId: number, except?: number) {
    for (const list of this.lists.values()) {
      if (list.folderId === folderId && list.name === name && list.id !== except) throw new BrevoError(400, 'duplicate_parameter', 'List name already exists in this folder');
    }
  }
}

const page = <T>(items: T[], query: { limit: number; offset: number; sort: 'asc' | 'desc' }) =>
  (query.sort === 'asc' ? items : [...items].reverse()).slice(query.offset, query.offset + query.limit);

/** Folders, lists and list membership: GET/POST /contacts/folders, /contacts/lists(/{listId}), .../contacts/add|remove. */
export function registerListRoutes(app: FastifyInstance, state: BrevoSimulatorState) {
  const store = state.listStore;
  const members = (list: SimulatedList) => [...state.contacts.values()].filter((contact) => contact.listIds.includes(list.id));
  const totals = (contacts: SimulatedContact[]) => ({
    totalBlacklisted: contacts.filter((c) => c.emailBlacklisted).length,
    totalSubscribers: contacts.filter((c) => !c.emailBlacklisted).length,
    uniqueSubscribers: contacts.length,
  });
  const describe = (list: SimulatedList) => ({ id: list.id, name: list.name, ...totals(members(list)), folderId: list.folderId });

  app.get('/v3/contacts/folders', async (request) => {
    const query = parse(ZPageQuery, request.query);
    const folders = [...store.folders.values()];
    const lists = [...store.lists.values()];
    return {
      folders: page(folders, query).map((folder) => ({ ...folder, ...totals(lists.filter((l) => l.folderId === folder.id).flatMap(members)) })),
      count: folders.length,
    };
  });

  app.post('/v3/contacts/folders', async (request, reply) => {
    const { name } = parse(ZCreateFolder, request.body);
    if (!name) throw new BrevoError(400, 'missing_parameter', 'name is required');
    return reply.code(201).send({ id: store.createFolder(name).id });
  });

  app.get('/v3/contacts/folders/:folderId/lists', async (request) => {
    const query = parse(ZPageQuery, request.query);
    const folderId = Number((request.params as { folderId: string }).folderId);
    if (!store.folders.has(folderId)) throw new BrevoError(404, 'document_not_found', 'Folder ID does not exist');
    const lists = [...store.lists.values()].filter((list) => list.folderId === folderId);
    // Lists of a folder come without their folderId.
    const described = page(lists, query).map((list) => {
      const { folderId: _folderId, ...rest } = describe(list);
      return rest;
    });
    return { lists: described, count: lists.length };
  });

  app.get('/v3/contacts/lists', async (request) => {
    const query = parse(ZPageQuery, request.query);
    const lists = [...store.lists.values()];
    return { lists: page(lists, query).map(describe), count: lists.length };
  });

  app.post('/v3/contacts/lists', async (request, reply) => {
    const body = parse(ZCreateList, request.body);
    return reply.code(201).send({ id: store.createList(body.name, body.folderId).id });
  });

  // One list comes with when it was created.
  app.get('/v3/contacts/lists/:listId', async (request) => {
    const list = store.get((request.params as { listId: string }).listId);
    return { ...describe(list), createdAt: list.createdAt };
  });

  app.put('/v3/contacts/lists/:listId', async (request, reply) => {
    const list = store.get((request.params as { listId: string }).listId);
    store.update(list, parse(ZUpdateList, request.body));
    return reply.code(204).send();
  });

  app.delete('/v3/contacts/lists/:listId', async (request, reply) => {
    const list = store.get((request.params as { listId: string }).listId);
    store.lists.delete(list.id);
    for (const contact of members(list)) contact.listIds = contact.listIds.filter((id) => id !== list.id);
    return reply.code(204).send();
  });

  /** Each identifier with the contact it names, in the request's own terms (Brevo answers in them). */
  const named = (body: { emails?: string[] | undefined; ids?: number[] | undefined; extIds?: string[] | undefined }) => {
    if (body.emails) return body.emails.map((email) => [email, state.byEmail(email)] as const);
    if (body.ids) return body.ids.map((id) => [id, state.contacts.get(id)] as const);
    return (body.extIds ?? []).map((extId) => [extId, state.byExtId(extId)] as const);
  };

  app.post('/v3/contacts/lists/:listId/contacts/add', async (request, reply) => {
    const list = store.get((request.params as { listId: string }).listId);
    const body = parse(ZAddContactsToList, request.body);
    const success: (string | number)[] = [];
    const failure: (string | number)[] = [];
    for (const [identifier, contact] of named(body)) {
      // Unknown, or already in the list: Brevo reports both as failures.
      if (!contact || contact.listIds.includes(list.id)) failure.push(identifier);
      else {
        contact.listIds.push(list.id);
        success.push(identifier);
      }
    }
    return reply.code(201).send({ contacts: { success, failure } });
  });

  app.post('/v3/contacts/lists/:listId/contacts/remove', async (request, reply) => {
    const list = store.get((request.params as { listId: string }).listId);
    const body = parse(ZRemoveContactsFromList, request.body);
    if (body.all) {
      const removed = members(list);
      for (const contact of removed) contact.listIds = contact.listIds.filter((id) => id !== list.id);
      const process = state.startProcess('REMOVE_ALL_FROM_LIST');
      process.status = 'completed';
      return reply.code(201).send({ contacts: { total: removed.length, processId: process.id } });
    }
    const success: (string | number)[] = [];
    const failure: (string | number)[] = [];
    for (const [identifier, contact] of named(body)) {
      if (!contact?.listIds.includes(list.id)) failure.push(identifier);
      else {
        contact.listIds = contact.listIds.filter((id) => id !== list.id);
        success.push(identifier);
      }
    }
    return reply.code(201).send({ contacts: { success, failure } });
  });
}
