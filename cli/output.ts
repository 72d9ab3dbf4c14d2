import type { Context } from './context';

/** Prints a command's result: the API's JSON as is with --json, else the readable lines. */
export function printResult(ctx: Context, options: { json?: boolean }, value: unknown, lines: () => string[]): void {
  if (options.json) ctx.out(JSON.stringify(value, null, 2));
  else for (const line of lines()) ctx.out(line);
}

/** A query string of the options that are set, in the API's names. */
export function queryString(params: Record<string, string | number | undefined>): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params))
    if (value !== undefined && value !== '') search.set(name, String(value));
  const text = search.toString();
  return text ? `?${text}` : '';
}
