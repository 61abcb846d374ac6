/**
 * Ruby source for the generated connector. Workato runs connectors on Ruby 2.7, so everything here
 * emits 2.7 syntax only: `key: value` hashes (never the `{x:}` shorthand), `lambda do |...|`
 * blocks with every argument declared, single-quoted strings.
 */

/** Ruby code placed as-is (a lambda, a method call). */
export class RubyCode {
  constructor(readonly source: string) {}
}

export const code = (source: string) => new RubyCode(source);

export type RubyValue = string | number | boolean | null | RubyCode | RubyValue[] | { [key: string]: RubyValue | undefined };

const INDENT = '  ';

export function rubyString(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** A symbol key when Ruby allows `key:`, a string key (`'key' =>`) otherwise. */
function rubyKey(key: string): string {
  return /^[a-z_][a-zA-Z0-9_]*[?!]?$/.test(key) ? `${key}:` : `${rubyString(key)} =>`;
}

/** A Ruby literal for a JSON-like value; `undefined` entries of a hash are left out. */
export function ruby(value: RubyValue, depth = 0): string {
  const pad = INDENT.repeat(depth + 1);
  const end = INDENT.repeat(depth);
  if (value instanceof RubyCode) return indentCode(value.source, depth);
  if (value === null) return 'nil';
  if (typeof value === 'string') return rubyString(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`cannot write ${value} as Ruby`);
    return String(value);
  }
  if (typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    return `[\n${value.map((item) => `${pad}${ruby(item, depth + 1)}`).join(',\n')}\n${end}]`;
  }
  const entries = Object.entries(value).filter((entry): entry is [string, RubyValue] => entry[1] !== undefined);
  if (entries.length === 0) return '{}';
  return `{\n${entries.map(([key, item]) => `${pad}${rubyKey(key)} ${ruby(item, depth + 1)}`).join(',\n')}\n${end}}`;
}

/** Re-indents a multi-line code block so its continuation lines sit at `depth`. */
function indentCode(source: string, depth: number): string {
  const lines = source.replace(/^\n+|\s+$/g, '').split('\n');
  const common = Math.min(...lines.slice(1).filter((line) => line.trim()).map((line) => line.length - line.trimStart().length), Infinity);
  const strip = Number.isFinite(common) ? common : 0;
  return lines
    .map((line, index) => (index === 0 ? line.trim() : line.trim() ? INDENT.repeat(depth) + line.slice(strip) : ''))
    .join('\n');
}

/** A Ruby lambda with declared arguments and a body. */
export function lambda(args: string[], body: string): RubyCode {
  const params = args.length > 0 ? ` |${args.join(', ')}|` : '';
  const inner = body
    .replace(/^\n+|\s+$/g, '')
    .split('\n')
    .map((line) => (line.trim() ? INDENT + line : ''))
    .join('\n');
  return code(`lambda do${params}\n${dedent(inner, INDENT)}\nend`);
}

/** Removes the common indentation of a block, then indents it by `prefix`. */
function dedent(block: string, prefix: string): string {
  const lines = block.split('\n');
  const common = Math.min(...lines.filter((line) => line.trim()).map((line) => line.length - line.trimStart().length));
  return lines.map((line) => (line.trim() ? prefix + line.slice(common) : '')).join('\n');
}
