import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { ApiError } from './gangway-api';
import { approve } from './commands/approve';
import { audit } from './commands/audit';
import { cancel } from './commands/cancel';
import { list } from './commands/list';
import { offboard } from './commands/offboard';
import { RESEND_KINDS, resend } from './commands/resend';
import { retryClient } from './commands/retry-client';
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
    if (argv.includes('--json')) reportJson(ctx, err);
    else report(ctx, err);
    return EXIT.problem;
  }
}

/** With --json, a failure is one JSON object on standard error: the API's problem as is, or {detail, hints}. */
function reportJson(ctx: Context, err: unknown): void {
  if (err instanceof ApiError) ctx.err(JSON.stringify({ ...err.problem, status: err.status }));
  else if (err instanceof CliError)
    ctx.err(JSON.stringify({ title: 'gangway', detail: err.message, hints: err.hints }));
  else ctx.err(JSON.stringify({ title: 'unexpected error', detail: (err as Error)?.message ?? String(err) }));
}

/** Printed after the top-level help, and named in the README. */
const EXIT_CODES_HELP = `
Exit codes:
  0  done, or the onboarding waits on a person (approval, credentials)
  1  the onboarding (or offboarding) ended badly: REJECTED, CANCELLED or FAILED
  2  a usage error, a refusal by the API (4xx: the problem's detail is printed), or the API or database unreachable

With --json, a command prints one JSON document on standard output, and a failure one JSON problem on
standard error.`;

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

function resendKind(text: string): string {
  const kind = text.trim().toUpperCase();
  if (!(RESEND_KINDS as readonly string[]).includes(kind))
    throw new InvalidArgumentError(`one of ${RESEND_KINDS.join(', ')}`);
  return kind;
}

function pageSize(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > 100) throw new InvalidArgumentError('a whole number from 1 to 100');
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
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText('after', EXIT_CODES_HELP);

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
    .option('--first-name <name>', 'the person’s first name, shown where they administer an API client')
    .option('--last-name <name>', 'the person’s last name')
    .option('--password-stdin', 'read the password from standard input (one trailing newline is removed)')
    .option('--json', 'print JSON')
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
    .option('--json', 'print JSON')
    .action(act((opts) => keysRewrap(ctx, opts)));

  program
    .command('login')
    .description('log in to the API and keep the session in $GANGWAY_DATA_DIR/cli-session.json')
    .requiredOption('--email <email>', 'your email address')
    .option('--password-stdin', 'read the password from standard input (one trailing newline is removed)')
    .option('--json', 'print JSON')
    .action(act((opts, cmd: Command) => login(ctx, { ...opts, api: globals(cmd).api })));

  program
    .command('onboard')
    .description('start an onboarding from a JSON file and follow it until it waits on a person or ends')
    .requiredOption('--file <path>', 'the start body as JSON (see the contract’s “Start body”)')
    .option('--interval <ms>', 'how often to poll for progress', positiveInteger, 500)
    .option(
      '--idempotency-key <key>',
      'the start’s Idempotency-Key (default: a fresh one); the same key gets the first answer again',
    )
    .option('--json', 'print one JSON object when it waits on a person or ends, instead of the progress lines')
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
    .option('--json', 'print the decided approval as JSON')
    .action(act((id: string, opts, cmd: Command) => approve(ctx, id, { ...opts, api: globals(cmd).api })));

  program
    .command('list')
    .description('list onboardings, newest first, one page at a time')
    .option('--status <status>', 'e.g. AWAITING_APPROVAL, COMPLETED')
    .option('--tenant <id>', 'a tenant’s partnerProvidedId or tenantId')
    .option('--q <text>', 'free text over the tenant’s name and ids')
    .option('--started-by <email>', 'who started them')
    .option('--approver <email>', 'who is asked to approve them')
    .option('--subscription <code>', 'e.g. INVOICING')
    .option('--from <date>', 'created at or after (ISO 8601)')
    .option('--to <date>', 'created before (ISO 8601)')
    .option('--limit <n>', 'at most this many (1-100)', pageSize)
    .option('--cursor <cursor>', 'the next page, as the previous page printed it')
    .option('--json', 'print the API’s JSON as is')
    .action(act((opts, cmd: Command) => list(ctx, { ...opts, api: globals(cmd).api })));

  program
    .command('cancel')
    .description('cancel an open onboarding: it undoes what it did and ends CANCELLED')
    .argument('<id>', 'the onboarding id')
    .requiredOption('--reason <text>', 'why; kept in the onboarding’s reason and audit trail')
    .option('--json', 'print the API’s JSON as is')
    .action(act((id: string, opts, cmd: Command) => cancel(ctx, id, { ...opts, api: globals(cmd).api })));

  program
    .command('resend')
    .description('mail a fresh link of one kind; the previous link of that kind stops working')
    .argument('<id>', 'the onboarding id')
    .addOption(
      new Option('--kind <kind>', `which link: ${RESEND_KINDS.join(', ')} (any case)`)
        .argParser(resendKind)
        .makeOptionMandatory(),
    )
    .option('--client <partnerProvidedId>', 'for COLLECTOR: the client whose link to send again')
    .option('--json', 'print the API’s JSON as is')
    .action(act((id: string, opts, cmd: Command) => resend(ctx, id, { ...opts, api: globals(cmd).api })));

  program
    .command('retry-client')
    .description('send a FAILED client a fresh collector link and verify its portal again')
    .argument('<id>', 'the onboarding id')
    .argument('<client>', 'the client’s partnerProvidedId')
    .option('--json', 'print the API’s JSON as is')
    .action(
      act((id: string, client: string, opts, cmd: Command) =>
        retryClient(ctx, id, client, { ...opts, api: globals(cmd).api }),
      ),
    );

  program
    .command('offboard')
    .description('take a customer’s access away for good: tokens, secret, user, subscriptions, stored credentials')
    .argument('<tenant>', 'the tenant’s partnerProvidedId or tenantId')
    .requiredOption('--reason <text>', 'why; kept in the audit trail and told to the customer')
    .option('--wait', 'follow the offboarding until it ends (exit 1 if it fails)')
    .option('--interval <ms>', 'how often to poll with --wait', positiveInteger, 500)
    .option('--json', 'print the API’s JSON as is')
    .action(act((tenant: string, opts, cmd: Command) => offboard(ctx, tenant, { ...opts, api: globals(cmd).api })));

  program
    .command('audit')
    .description('who did what to an onboarding, oldest first')
    .argument('<id>', 'the onboarding id')
    .option('--json', 'print the API’s JSON as is')
    .action(act((id: string, opts, cmd: Command) => audit(ctx, id, { ...opts, api: globals(cmd).api })));

  program
    .command('migrate')
    .description('apply the database migrations (DATABASE_URL) and exit; safe to run from several places at once')
    .option('--json', 'print the applied migrations as JSON')
    .action(act((opts) => migrateCommand(ctx, opts)));
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
