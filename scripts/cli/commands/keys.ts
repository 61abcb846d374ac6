/** tajo keys: the workspace's API keys (an admin key). */
import type { ApiKey, CreatedApiKey } from '../client.ts';
import { integer, required, type Command } from '../command.ts';
import { UsageError } from '../errors.ts';
import { fields, json, table } from '../render.ts';

const SCOPES = ['read', 'write', 'admin'];
const KEY_COLUMNS = ['id', 'name', 'prefix', 'scopes', 'createdAt', 'expiresAt', 'revokedAt'];

const created = (result: CreatedApiKey) =>
  fields([
    ['id', result.apiKey.id],
    ['name', result.apiKey.name],
    ['scopes', result.apiKey.scopes],
    ['expires', result.apiKey.expiresAt],
  ]) + `\nSecret (shown only now, store it):\n\n  ${result.secret}\n\n`;

export const keyCommands: Command[] = [
  {
    words: ['keys', 'list'],
    summary: 'List API keys, revoked ones included (never their secrets).',
    async run(ctx) {
      const { data } = await ctx.client().get<{ data: ApiKey[] }>('/api-keys');
      ctx.io.out(ctx.json ? json(data) : table(data, KEY_COLUMNS));
    },
  },
  {
    words: ['keys', 'create'],
    synopsis: '--name N --scopes read,write [--expires-at T]',
    summary: 'Create a key; its secret is printed once.',
    options: { name: { type: 'string' }, scopes: { type: 'string' }, 'expires-at': { type: 'string' } },
    async run(ctx) {
      const name = required(ctx, 'name');
      const scopes = required(ctx, 'scopes').split(',').map((scope) => scope.trim()).filter(Boolean);
      const unknown = scopes.filter((scope) => !SCOPES.includes(scope));
      if (unknown.length) throw new UsageError(`--scopes: unknown scope ${unknown.join(', ')} (read, write, admin)`, ctx.usage);
      const expiresAt = ctx.values['expires-at'];
      const result = await ctx.client().post<CreatedApiKey>('/api-keys', { name, scopes, ...(typeof expiresAt === 'string' ? { expiresAt } : {}) });
      ctx.io.out(ctx.json ? json(result) : created(result));
    },
  },
  {
    words: ['keys', 'rotate'],
    args: ['ID'],
    synopsis: '[--grace SECONDS]',
    summary: 'Make a replacement key; the old one works until revoked, or for --grace seconds.',
    options: { grace: { type: 'string' } },
    async run(ctx) {
      const grace = integer(ctx, 'grace');
      const result = await ctx.client().post<CreatedApiKey>(`/api-keys/${ctx.args[0]}/rotate`, grace === undefined ? {} : { oldKeyExpiresInSeconds: grace });
      ctx.io.out(ctx.json ? json(result) : created(result));
    },
  },
  {
    words: ['keys', 'revoke'],
    args: ['ID'],
    summary: 'Revoke a key: it stops working at once.',
    async run(ctx) {
      const key = await ctx.client().delete<ApiKey>(`/api-keys/${ctx.args[0]}`);
      ctx.io.out(ctx.json ? json(key) : `Key ${key.id} (${key.name}) revoked at ${key.revokedAt}.\n`);
    },
  },
];
