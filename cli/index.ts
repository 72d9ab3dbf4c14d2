import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { ApiError } from './gangway-api';
import { approve } from './commands/approve';
import { keysRewrap } from './commands/keys-rewrap';
import { login } from './commands/login';
import { onboard } from './commands/onboard';
import { apiCommand, migrateCommand, workerCommand } from './commands/processes';
import { status } from './commands/status';
import { usersAdd } from './commands/users-add';
import { usersList, usersSetAccess } from './commands/users-access';
import { CliError, Context, EXIT, type CliIo } from './context';

export type { CliIo } from './context';

/**
 * Runs one gangway command with the given arguments (without `node` and the script) and returns
 * the exit code. Nothing here touches `process`: the bin hands in its streams, env and cwd.
 */
export async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const ctx = new Context(io);
  let exitCode: number = EXIT.ok;
  const program = buildProgram(ctx, (code) => (exitCode = code));
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT.ok : EXIT.problem; // commander printed it
    report(ctx, err);
    return EXIT.problem;
  }
}

function report(ctx: Context, err: unknown): void {
  if (err instanceof ApiError) {
    const p = err.problem;
    ctx.err(`gangway: ${p.title ?? 'HTTP error'} (${err.status})${p.detail ? `: ${p.detail}` : ''}`);
    for (const e of Array.isArray(p.errors) ? p.errors : []) ctx.err(`  ${e.path}: ${e.message}`);
    if (typeof p.existingId === 'string')
      ctx.err(`  the open onboarding is ${p.existingId}: gangway status ${p.existingId}`);
  } else if (err instanceof CliError) {
    ctx.err(`gangway: ${err.message}`);
    for (const hint of err.hints) ctx.err(`  ${hint}`);
  } else {
    ctx.err(`gangway: unexpected error: ${(err as Error)?.message ?? String(err)}`);
  }
}

function positiveInteger(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 50) throw new InvalidArgumentError('a whole number of milliseconds, at least 50');
  return n;
}

function buildProgram(ctx: Context, setExit: (code: number) => void): Command {
  const program = new Command('gangway')
    .description('Onboard B2B customers with gangway: users, onboardings, approvals.')
    .addOption(
      new Option(
        '--api <url>',
        'the API base URL (default: GANGWAY_API_URL, else the apiUrl in $GANGWAY_DATA_DIR/runtime.json, else http://127.0.0.1:3000)',
      ),
    )
    .exitOverride()
    .configureOutput({ writeOut: (s) => ctx.io.stdout.write(s), writeErr: (s) => ctx.io.stderr.write(s) })
    .showHelpAfterError('(run with --help for usage)');

  // Subcommands inherit the output and exit behaviour; each action reports its own exit code.
  const act =
    <A extends unknown[]>(fn: (...args: A) => Promise<number>) =>
    async (...args: A) =>
      setExit(await fn(...args));
  const globals = (cmd: Command) => cmd.optsWithGlobals<{ api?: string }>();

  const users = program.command('users').description('manage the people who use gangway');
  users
    .command('add')
    .description('create a user directly in PostgreSQL (DATABASE_URL, else runtime.json) and print its id')
    .requiredOption('--email <email>', 'the user’s email address, used to log in')
    .addOption(
      new Option('--role <role>', 'what the user may do').choices(['staff', 'approver', 'admin']).makeOptionMandatory(),
    )
    .addOption(
      new Option('--approver-kind <kind>', 'for approvers: account manager or technical account manager').choices([
        'AM',
        'TECH_AM',
      ]),
    )
    .option('--password-stdin', 'read the password from standard input (one trailing newline is removed)')
    .action(act((opts) => usersAdd(ctx, opts)));
  users
    .command('list')
    .description('list users with their role and whether they are disabled (DATABASE_URL, else runtime.json)')
    .option('--json', 'print JSON')
    .action(act((opts) => usersList(ctx, opts)));
  for (const action of ['disable', 'enable'] as const)
    users
      .command(action)
      .description(
        action === 'disable'
          ? 'disable a user: no login, and their sessions (refresh and access tokens) end at once'
          : 'enable a disabled user again',
      )
      .requiredOption('--email <email>', 'the user’s email address')
      .option('--json', 'print JSON')
      .action(act((opts) => usersSetAccess(ctx, opts, action === 'disable')));

  const keys = program.command('keys').description('manage the keys that protect stored secrets');
  keys
    .command('rewrap')
    .description(
      'after a master key rotation: wrap every data key under GANGWAY_MASTER_KEY (old keys in GANGWAY_PREVIOUS_MASTER_KEYS)',
    )
    .action(act(() => keysRewrap(ctx)));

  program
    .command('login')
    .description('log in to the API and keep the session in $GANGWAY_DATA_DIR/cli-session.json')
    .requiredOption('--email <email>', 'your email address')
    .option('--password-stdin', 'read the password from standard input (one trailing newline is removed)')
    .action(act((opts, cmd: Command) => login(ctx, { ...opts, api: globals(cmd).api })));

  program
    .command('onboard')
    .description('start an onboarding from a JSON file and follow it until it waits on a person or ends')
    .requiredOption('--file <path>', 'the start body as JSON (see the contract’s “Start body”)')
    .option('--interval <ms>', 'how often to poll for progress', positiveInteger, 500)
    .action(act((opts, cmd: Command) => onboard(ctx, { ...opts, api: globals(cmd).api })));

  program
    .command('status')
    .description('show an onboarding: status, steps, approvals, subscriptions, clients')
    .argument('<id>', 'the onboarding id')
    .option('--json', 'print the API’s JSON as is')
    .action(act((id: string, opts, cmd: Command) => status(ctx, id, { ...opts, api: globals(cmd).api })));

  program
    .command('approve')
    .description('approve (or, with --reject, reject) one subscription of an onboarding assigned to you')
    .argument('<id>', 'the onboarding id')
    .requiredOption('--subscription <code>', 'e.g. ORDER_MANAGEMENT')
    .option('--reject', 'reject instead of approve')
    .option('--comment <text>', 'why; shown to the staff member who started the onboarding')
    .action(act((id: string, opts, cmd: Command) => approve(ctx, id, { ...opts, api: globals(cmd).api })));

  program
    .command('migrate')
    .description('apply the database migrations (DATABASE_URL) and exit; safe to run from several places at once')
    .action(act(() => migrateCommand(ctx)));
  program
    .command('api')
    .description('run the HTTP API, configured by the environment, until SIGTERM (see docs/deploy.md)')
    .action(act(() => apiCommand(ctx)));
  program
    .command('worker')
    .description('run a Temporal worker and the webhook dispatcher, configured by the environment, until SIGTERM')
    .action(act(() => workerCommand(ctx)));

  return program;
}
