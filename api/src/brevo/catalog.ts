import type { Db } from '../db/client.ts';
import type { BrevoAccount } from './accounts.ts';
import { BrevoRequestFailed, type BrevoNamed, type BrevoPage } from './client.ts';

type Kind = 'folder' | 'list';

/** How to find and create one folder or list in Brevo, by its name there. */
interface BrevoLookup {
  name: string;
  find(page: BrevoPage): Promise<{ items: BrevoNamed[]; count: number }>;
  create(): Promise<number>;
}

/** Brevo's largest page for folders and lists. */
const PAGE_SIZE = 50;

export interface ListName {
  folderName: string;
  listName: string;
}

/**
 * Folders and lists of a Brevo account, by deterministic name. Brevo allows only 100 requests an
 * hour on these endpoints (general tier), so each name is resolved once: callers asking for the
 * same name at once share one promise, the answer is kept in memory and in the database (a
 * restarted process asks Brevo nothing), and an unknown name is looked up before it is created,
 * so a crash between Brevo's creation and our record finds the folder or list again.
 */
export class BrevoCatalog {
  readonly #resolved = new Map<string, Promise<number>>();

  constructor(private readonly db: Db) {}

  ensureFolder(account: BrevoAccount, folderName: string): Promise<number> {
    return this.#ensure(account, 'folder', folderName, {
      name: folderName,
      find: (page) => account.api.listFolders(page),
      create: () => account.api.createFolder(folderName),
    });
  }

  async ensureList(account: BrevoAccount, { folderName, listName }: ListName): Promise<number> {
    const folderId = await this.ensureFolder(account, folderName);
    return this.#ensure(account, 'list', `${folderId}/${listName}`, {
      name: listName,
      find: (page) => account.api.listFolderLists(folderId, page),
      create: () => account.api.createList(listName, folderId),
    });
  }

  /** The list's ID when Brevo has it, without creating it. */
  async findList(account: BrevoAccount, { folderName, listName }: ListName): Promise<number | null> {
    const folderId = await this.ensureFolder(account, folderName);
    const entry = await this.db.brevoCatalogEntry.findUnique({ where: { accountKey_kind_name: { accountKey: account.key, kind: 'list', name: `${folderId}/${listName}` } } });
    return entry?.brevoId ?? (await findByName((page) => account.api.listFolderLists(folderId, page), listName));
  }

  /** Forgets a list that was renamed or deleted, so the name is never answered with it again. */
  async forgetList(account: BrevoAccount, { folderName, listName }: ListName) {
    const folderId = await this.ensureFolder(account, folderName);
    const name = `${folderId}/${listName}`;
    this.#resolved.delete(cacheKey(account, 'list', name));
    await this.db.brevoCatalogEntry.deleteMany({ where: { accountKey: account.key, kind: 'list', name } });
  }

  /** `name` is the catalog's name for it (a list's is qualified by its folder); `brevo` reaches it in Brevo. */
  #ensure(account: BrevoAccount, kind: Kind, name: string, brevo: BrevoLookup) {
    const key = cacheKey(account, kind, name);
    let resolved = this.#resolved.get(key);
    if (!resolved) {
      resolved = this.#resolve(account, kind, name, async () => (await findByName(brevo.find, brevo.name)) ?? (await createOrFind(brevo)));
      // A failure is not remembered: the next caller tries again.
      resolved.catch(() => this.#resolved.delete(key));
      this.#resolved.set(key, resolved);
    }
    return resolved;
  }

  async #resolve(account: BrevoAccount, kind: Kind, name: string, fromBrevo: () => Promise<number>): Promise<number> {
    const where = { accountKey_kind_name: { accountKey: account.key, kind, name } };
    const entry = await this.db.brevoCatalogEntry.findUnique({ where });
    if (entry) return entry.brevoId;
    const brevoId = await fromBrevo();
    await this.db.brevoCatalogEntry.upsert({ where, create: { accountKey: account.key, kind, name, brevoId }, update: { brevoId } });
    return brevoId;
  }
}

const cacheKey = (account: BrevoAccount, kind: Kind, name: string) => `${account.key}\u0000${kind}\u0000${name}`;

/** Pages through Brevo's folders or lists, oldest first, for the one with this name. */
async function findByName(find: BrevoLookup['find'], name: string): Promise<number | null> {
  for (let offset = 0; ; offset += PAGE_SIZE) {
    const { items, count } = await find({ limit: PAGE_SIZE, offset });
    const match = items.find((item) => item.name === name);
    if (match) return match.id;
    if (items.length < PAGE_SIZE || offset + PAGE_SIZE >= count) return null;
  }
}

/**
 * Creates the folder or list. When Brevo says the name exists (another process created it, or an
 * earlier attempt that timed out had in fact succeeded), it is found instead.
 */
async function createOrFind(brevo: BrevoLookup) {
  try {
    return await brevo.create();
  } catch (error) {
    if (!(error instanceof BrevoRequestFailed && error.details.code === 'duplicate_parameter')) throw error;
    const found = await findByName(brevo.find, brevo.name);
    if (found === null) throw error;
    return found;
  }
}
