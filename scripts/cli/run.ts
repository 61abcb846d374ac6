/** The tajo command line: finds the command, parses its options, runs it, and maps failures to exit codes. */
import { parseArgs } from 'node:util';
import { TajoClient } from './client.ts';
import { usageLine, type Command, type ParseArgsOptionsConfig, type Values } from './command.ts';
import { bootstrapCommand } from './commands/bootstrap.ts';
import { deadLetterCommands } from './commands/dead-letters.ts';
import { jobCommands } from './commands/jobs.ts';
import { keyCommands } from './commands/keys.ts';
import { sourceCommands } from './commands/sources.ts';
import { ApiError, EXIT, UsageError } from './errors.ts';
import { stdio, type Output } from './render.ts';

export const DEFAULT_URL = 'http://127.0.0.1:3000';

export const COMMANDS: Command[] = [bootstrapCommand, ...keyCommands, ...sourceCommands, ...jobCommands, ...deadLetterCommands];

const GLOBAL_OPTIONS: ParseArgsOptionsConfig = {
  url: { type: 'string' },
  key: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
};

export function usage(commands = COMMANDS): string {
  const lines = commands.map((command) => `  ${usageLine(command)}\n      ${command.summary}`);
  return `Usage: tajo <command> [options]

Commands:
${lines.join('\n')}

Options of every command:
  --url URL    the Tajo API (default: TAJO_URL, else ${DEFAULT_URL})
  --key KEY    the API key (default: TAJO_API_KEY; prefer the variable: arguments show in ps)
  --json       machine-readable output on stdout
  -h, --help   this text

Exit codes: 0 done; 1 the API refused (its detail on stderr), could not be reached, or a watched
job ended failed or cancelled; 2 usage error (unknown command or option, missing argument or key).
`;
}

/** Leading global options (`tajo --json jobs list`) are set aside, then the command's words follow. */
function splitCommand(argv: string[]): { leading: string[]; words: string[]; rest: string[] } {
  let i = 0;
  while (i < argv.length && argv[i]!.startsWith('-')) i += argv[i] === '--url' || argv[i] === '--key' ? 2 : 1;
  const leading = argv.slice(0, i);
  const after = argv.slice(i);
  const group = after[0];
  const matches = COMMANDS.filter((command) => command.words[0] === group);
  const single = matches.length === 1 && matches[0]!.words.length === 1;
  const wordCount = single || after[1] === undefined || after[1].startsWith('-') ? Math.min(1, after.length) : 2;
  return { leading, words: after.slice(0, wordCount), rest: after.slice(wordCount) };
}

export async function run(argv: string[], io: Output = stdio, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  let commandUsage = usage();
  try {
    const { leading, words, rest } = splitCommand(argv);
    const group = COMMANDS.filter((command) => command.words[0] === words[0]);
    const wantsHelp = [...leading, ...rest].some((arg) => arg === '--help' || arg === '-h');
    if (words.length === 0 || words[0] === 'help') {
      if (words.length === 0 && !wantsHelp) throw new UsageError('no command given');
      io.out(usage());
      return EXIT.ok;
    }
    if (group.length === 0) throw new UsageError(`unknown command: ${words[0]}`);
    commandUsage = usage(group);
    const command = group.find((candidate) => candidate.words.join(' ') === words.join(' '));
    if (!command) {
      if (wantsHelp && words.length === 1) {
        io.out(commandUsage);
        return EXIT.ok;
      }
      throw new UsageError(words[1] === undefined ? `${words[0]}: which one?` : `unknown command: ${words.join(' ')}`, commandUsage);
    }
    commandUsage = usage([command]);
    if (wantsHelp) {
      io.out(commandUsage);
      return EXIT.ok;
    }

    let parsed: { values: Values; positionals: string[] };
    try {
      parsed = parseArgs({ args: [...leading, ...rest], options: { ...GLOBAL_OPTIONS, ...command.options }, allowPositionals: true, strict: true }) as typeof parsed;
    } catch (error) {
      throw new UsageError((error as Error).message.replace(/\. To specify a positional argument.*$/s, ''), commandUsage);
    }
    const names = command.args ?? [];
    if (parsed.positionals.length < names.length) throw new UsageError(`missing ${names.slice(parsed.positionals.length).join(' ')}`, commandUsage);
    if (parsed.positionals.length > names.length) throw new UsageError(`unexpected argument: ${parsed.positionals[names.length]}`, commandUsage);

    const { values } = parsed;
    let client: TajoClient | undefined;
    const code = await command.run({
      args: parsed.positionals,
      values,
      json: values.json === true,
      io,
      usage: commandUsage,
      env,
      client() {
        const key = (values.key as string | undefined) ?? env.TAJO_API_KEY;
        if (!key) throw new UsageError('no API key: set TAJO_API_KEY or pass --key', commandUsage);
        return (client ??= new TajoClient((values.url as string | undefined) ?? env.TAJO_URL ?? DEFAULT_URL, key));
      },
    });
    return code ?? EXIT.ok;
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`tajo: ${error.message}\n\n${error.usage ?? commandUsage}`);
      return EXIT.usage;
    }
    if (error instanceof ApiError) {
      const status = error.status ? ` (HTTP ${error.status}${error.problem?.requestId ? `, request ${error.problem.requestId}` : ''})` : '';
      const details = (error.problem?.errors ?? []).map((field) => `  ${field.field}: ${field.message}\n`).join('');
      io.err(`tajo: ${error.message}${status}\n${details}`);
      return EXIT.failed;
    }
    io.err(`tajo: ${error instanceof Error ? error.message : String(error)}\n`);
    return EXIT.failed;
  }
}
