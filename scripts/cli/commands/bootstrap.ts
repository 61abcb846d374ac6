/** tajo bootstrap: scripts/bootstrap.ts (it needs the database, not the API), run as a child with the same arguments. */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Command } from '../command.ts';
import { required } from '../command.ts';

const BOOTSTRAP = fileURLToPath(new URL('../../bootstrap.ts', import.meta.url));

export const bootstrapCommand: Command = {
  words: ['bootstrap'],
  synopsis: '--name N [--region GB] [--source workato]',
  summary: "Create a workspace and print its first admin key (on this machine's database: DATABASE_URL or DATA_DIR).",
  options: { name: { type: 'string' }, region: { type: 'string' }, source: { type: 'string' } },
  async run(ctx) {
    const args = ['--name', required(ctx, 'name')];
    for (const name of ['region', 'source'] as const) if (typeof ctx.values[name] === 'string') args.push(`--${name}`, ctx.values[name]);
    if (ctx.json) args.push('--json');
    const child = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), BOOTSTRAP, ...args], { stdio: 'inherit' });
    return new Promise<number>((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
    });
  },
};
