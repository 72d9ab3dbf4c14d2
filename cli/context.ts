import path from 'node:path';

/** What a CLI run touches of the outside world; the bin passes the process's, tests pass their own. */
export interface CliIo {
  stdin: NodeJS.ReadableStream;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  env: Record<string, string | undefined>;
  cwd: string;
  /** The process, for the long-running commands (api, worker) that stop on SIGTERM or SIGINT. */
  signals?: NodeJS.EventEmitter;
}

/** Exit codes: 0 done (or waiting on a person), 1 the onboarding ended badly, 2 usage, HTTP or setup problems. */
export const EXIT = { ok: 0, ended: 1, problem: 2 } as const;

/** An error the user can act on; its message is printed as is (never with a secret in it), and the run exits 2. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly hints: string[] = [],
  ) {
    super(message);
  }
}

export class Context {
  constructor(readonly io: CliIo) {}

  /** `$GANGWAY_DATA_DIR`, default `.data`, relative to the current directory. */
  get dataDir(): string {
    return path.resolve(this.io.cwd, this.io.env.GANGWAY_DATA_DIR || '.data');
  }

  out(line = ''): void {
    this.io.stdout.write(`${line}\n`);
  }

  err(line = ''): void {
    this.io.stderr.write(`${line}\n`);
  }

  /** The whole of standard input, with one trailing newline (LF or CRLF) removed. */
  async readSecretFromStdin(what: string): Promise<string> {
    const stdin = this.io.stdin as NodeJS.ReadableStream & { isTTY?: boolean };
    if (stdin.isTTY) this.err(`Reading the ${what} from standard input; end it with Ctrl-D.`);
    const chunks: Buffer[] = [];
    for await (const chunk of stdin)
      chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk as Uint8Array));
    const text = Buffer.concat(chunks)
      .toString('utf8')
      .replace(/\r?\n$/, '');
    if (text.length === 0)
      throw new CliError(`the ${what} on standard input is empty`, [
        `pipe it in, e.g.: printf '%s' "$PASSWORD" | gangway …`,
      ]);
    return text;
  }
}
