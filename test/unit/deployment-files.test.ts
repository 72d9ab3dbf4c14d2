import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import ms from 'ms';
import { parse, parseAllDocuments } from 'yaml';
import { run } from '../../cli';
import { KNOWN_VARIABLES } from '../../lib/config';

/**
 * The deployment files (Dockerfile, deploy/compose/, deploy/k8s/) run only commands the CLI has and
 * set only variables gangway reads, so that a renamed subcommand or a misspelled setting fails here
 * rather than in a rollout. The other containers (PostgreSQL, Temporal, its UI, Mailpit) are told
 * apart by their image and keep their own settings.
 */
const ROOT = path.join(__dirname, '..', '..');
const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');

/** Not gangway's, set on purpose: under NODE_ENV=production express's own error pages show no stack. */
const NODE_VARIABLES = ['NODE_ENV'];
/** Every container that is not gangway runs one of these images. */
const THIRD_PARTY_IMAGE = /^(postgres|temporalio\/(server|admin-tools|ui)|axllent\/mailpit):/;
const GANGWAY_IMAGE = /(^|\/)gangway:/;
/** How the image runs gangway: a container that names no command runs `gangway <its args>`. */
const ENTRYPOINT = ['node', 'bin/gangway.js'];
/** How long a stopping worker lets running activities finish (worker/create-worker.ts). */
const WORKER_SHUTDOWN_GRACE_MS = ms(
  /shutdownGraceTime: '([^']+)'/.exec(read('worker/create-worker.ts'))![1] as ms.StringValue,
);

/** The names gangway does not read: a misspelling shows up here. */
function unknownVariables(names: Iterable<string>): string[] {
  const known = new Set([...KNOWN_VARIABLES, ...NODE_VARIABLES]);
  return [...names].filter((name) => !known.has(name));
}

/** Whether `gangway <command…>` exists: the real CLI's help for it names exactly that command. */
async function isCommand(command: readonly string[]): Promise<boolean> {
  let out = '';
  const stdout = new PassThrough().on('data', (chunk) => (out += String(chunk)));
  const code = await run([...command, '--help'], {
    stdin: new PassThrough(),
    stdout,
    stderr: stdout,
    env: {},
    cwd: ROOT,
  });
  return code === 0 && out.split('\n')[0].startsWith(`Usage: gangway ${command.join(' ')} `);
}

async function missingCommands(commands: { where: string; command: readonly string[] }[]): Promise<string[]> {
  const missing: string[] = [];
  for (const { where, command } of commands)
    if (!(await isCommand(command))) missing.push(`${where}: gangway ${command.join(' ')}`);
  return missing;
}

// --- Dockerfile ---------------------------------------------------------------------------------

interface Instruction {
  keyword: string;
  args: string;
}

/** Every instruction, continuation lines joined, comments left out. */
function instructions(dockerfile: string): Instruction[] {
  return dockerfile
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'))
    .map((line) => {
      const keyword = line.split(/\s/, 1)[0];
      return { keyword: keyword.toUpperCase(), args: line.slice(keyword.length).trim() };
    });
}

/** The instructions of the image's last stage: what the running container gets. */
function finalStage(dockerfile: string): Instruction[] {
  const all = instructions(dockerfile);
  return all.slice(all.map((i) => i.keyword).lastIndexOf('FROM'));
}

function envNames(instructions: Instruction[]): string[] {
  return instructions
    .filter((i) => i.keyword === 'ENV')
    .flatMap((i) =>
      i.args.includes('=') ? [...i.args.matchAll(/(\w+)=/g)].map((m) => m[1]) : [i.args.split(/\s/, 1)[0]],
    );
}

/** ENTRYPOINT and CMD in exec form (JSON), so that SIGTERM reaches node and the drain runs. */
function execForm(instructions: Instruction[], keyword: 'ENTRYPOINT' | 'CMD'): string[] | undefined {
  const found = instructions.filter((i) => i.keyword === keyword).at(-1);
  return found && (JSON.parse(found.args) as string[]);
}

// --- Compose ------------------------------------------------------------------------------------

interface ComposeService {
  image?: string;
  build?: unknown;
  command?: string[] | string;
  environment?: Record<string, unknown> | string[];
  env_file?: string | string[];
  depends_on?: Record<string, { condition?: string }>;
}

function composeServices(doc: { services: Record<string, ComposeService> }) {
  const entries = Object.entries(doc.services);
  const isGangway = ([, s]: [string, ComposeService]) => s.build !== undefined || GANGWAY_IMAGE.test(s.image ?? '');
  return {
    gangway: entries.filter(isGangway),
    unrecognised: entries
      .filter((e) => !isGangway(e) && !THIRD_PARTY_IMAGE.test(e[1].image ?? ''))
      .map(([name]) => name),
  };
}

/** The variable names a service sets inline; an env_file is read separately. */
function inlineVariables(service: ComposeService): string[] {
  const env = service.environment ?? [];
  return Array.isArray(env) ? env.map((entry) => entry.split('=', 1)[0]) : Object.keys(env);
}

function envFile(text: string): Map<string, string> {
  const lines = text.split('\n').filter((line) => line.trim() && !line.trim().startsWith('#'));
  return new Map(lines.map((line) => [line.slice(0, line.indexOf('=')).trim(), line.slice(line.indexOf('=') + 1)]));
}

// --- Kubernetes ---------------------------------------------------------------------------------

interface Probe {
  httpGet: { path: string; port: string | number };
}
interface Container {
  name: string;
  image: string;
  command?: string[];
  args?: string[];
  env?: { name: string }[];
  envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
  ports?: { name?: string; containerPort: number }[];
  startupProbe?: Probe;
  livenessProbe?: Probe;
  readinessProbe?: Probe;
}
interface PodSpec {
  enableServiceLinks?: boolean;
  terminationGracePeriodSeconds?: number;
  securityContext?: { runAsNonRoot?: boolean; runAsUser?: number };
  containers: Container[];
}
interface Manifest {
  file: string;
  kind: string;
  metadata: { name: string };
  data?: Record<string, string>;
  stringData?: Record<string, string>;
  spec?: { template?: { spec: PodSpec } };
}

const K8S = 'deploy/k8s';
const manifests: Manifest[] = readdirSync(path.join(ROOT, K8S))
  .filter((file) => file.endsWith('.yaml'))
  .flatMap((file) =>
    parseAllDocuments(read(`${K8S}/${file}`)).map((doc) => ({
      ...(doc.toJS() as Omit<Manifest, 'file'>),
      file: `${K8S}/${file}`,
    })),
  );

/** Every gangway container of the Deployments and Jobs, with the pod it runs in. */
function gangwayContainers(all: Manifest[]) {
  return all.flatMap((m) => {
    const pod = m.spec?.template?.spec;
    return (pod?.containers ?? [])
      .filter((c) => GANGWAY_IMAGE.test(c.image))
      .map((container) => ({
        where: `${m.file} ${m.metadata.name}/${container.name}`,
        kind: m.kind,
        pod: pod!,
        container,
      }));
  });
}

/** What a container's environment holds: its own env plus every ConfigMap and Secret it takes whole. */
function containerEnvironment(
  container: Container,
  all: Manifest[],
): { values: Map<string, string>; unresolved: string[] } {
  const values = new Map<string, string>((container.env ?? []).map((e) => [e.name, '']));
  const unresolved: string[] = [];
  for (const source of container.envFrom ?? []) {
    const [kind, name] = source.configMapRef
      ? ['ConfigMap', source.configMapRef.name]
      : ['Secret', source.secretRef!.name];
    const found = all.find((m) => m.kind === kind && m.metadata.name === name);
    if (!found) unresolved.push(`${kind} ${name}`);
    for (const [key, value] of Object.entries({ ...found?.data, ...found?.stringData })) values.set(key, value);
  }
  return { values, unresolved };
}

describe('deployment files', () => {
  describe('Dockerfile', () => {
    const stage = finalStage(read('Dockerfile'));

    it('runs gangway as an unprivileged user, by exec form, with a command the CLI has', async () => {
      expect(execForm(stage, 'ENTRYPOINT')).toEqual(ENTRYPOINT);
      expect(read(ENTRYPOINT[1])).toContain("'dist', 'cli', 'index.js'");
      expect(await missingCommands([{ where: 'Dockerfile CMD', command: execForm(stage, 'CMD')! }])).toEqual([]);
      const user = stage.filter((i) => i.keyword === 'USER').at(-1)?.args;
      expect(user).toBeDefined();
      expect(['root', '0']).not.toContain(user);
    });

    it('sets only variables gangway reads, production by default', () => {
      expect(unknownVariables(envNames(stage))).toEqual([]);
      expect(stage.find((i) => i.keyword === 'ENV')?.args).toMatch(/GANGWAY_ENV=production\b.*HOST=0\.0\.0\.0/);
    });

    it('ships what the compiled code reads at run time: dist/ (with the workflow bundle), db/migrations, bin/', () => {
      // The compiled db/migrate.js reads <root>/db/migrations, not dist/db/migrations.
      const destinations = stage.filter((i) => i.keyword === 'COPY').map((i) => i.args.split(/\s+/).at(-1));
      expect(destinations).toEqual(expect.arrayContaining(['node_modules', 'dist', 'db/migrations', 'bin']));
    });

    it('builds with npm scripts that exist and without the pre-scripts meant for a clone (npm start, npm test)', () => {
      const scripts = Object.keys((JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts);
      const runs = instructions(read('Dockerfile'))
        .filter((i) => i.keyword === 'RUN')
        .map((i) => i.args);
      const npmRuns = runs.flatMap((line) => [...line.matchAll(/npm run (\S+)/g)].map((m) => m[1]));
      expect(npmRuns.length).toBeGreaterThan(0);
      expect(npmRuns.filter((name) => !scripts.includes(name))).toEqual([]);
      expect(runs.filter((line) => /npm (start|test|run (start|test|demo))\b/.test(line))).toEqual([]);
    });
  });

  describe('deploy/compose', () => {
    const compose = parse(read('deploy/compose/compose.yaml'), { merge: true }) as {
      services: Record<string, ComposeService>;
    };
    const { gangway, unrecognised } = composeServices(compose);
    const example = envFile(read('deploy/compose/.env.example'));

    it('runs gangway migrate, api and worker, and otherwise only the images it names as third-party', async () => {
      expect(unrecognised).toEqual([]);
      expect(gangway.map(([name]) => name).sort()).toEqual(['api', 'migrate', 'worker']);
      const commands = gangway.map(([name, s]) => ({
        where: `compose ${name}`,
        command: Array.isArray(s.command) ? s.command : (s.command ?? '').split(/\s+/),
      }));
      expect(await missingCommands(commands)).toEqual([]);
    });

    it('starts api and worker only after migrate completed successfully', () => {
      for (const [name, service] of gangway.filter(([n]) => n !== 'migrate')) {
        expect([name, service.depends_on?.migrate?.condition]).toEqual([name, 'service_completed_successfully']);
      }
    });

    it('sets only variables gangway reads, from .env (made from .env.example) and inline', () => {
      const unknown = gangway.flatMap(([name, s]) => {
        const files = [s.env_file ?? []].flat();
        expect(files).toEqual(['.env']);
        return unknownVariables([...example.keys(), ...inlineVariables(s)]).map((v) => `compose ${name}: ${v}`);
      });
      expect(unknown).toEqual([]);
    });

    it('carries no master key in the example', () => {
      expect(example.get('GANGWAY_MASTER_KEY')).toBe('');
    });
  });

  describe('deploy/k8s', () => {
    const containers = gangwayContainers(manifests);

    it('has the api and worker Deployments and the migrate and keys-rewrap Jobs, each running a command the CLI has', async () => {
      expect(containers.map((c) => `${c.kind} ${c.container.args?.join(' ')}`).sort()).toEqual([
        'Deployment api',
        'Deployment worker',
        'Job keys rewrap',
        'Job migrate',
      ]);
      for (const { where, container } of containers)
        expect([where, container.command ?? ENTRYPOINT]).toEqual([where, ENTRYPOINT]);
      expect(
        await missingCommands(containers.map(({ where, container }) => ({ where, command: container.args ?? [] }))),
      ).toEqual([]);
    });

    it('sets only variables gangway reads: env, and every key of the ConfigMaps and Secrets taken whole', () => {
      const problems = containers.flatMap(({ where, container }) => {
        const { values, unresolved } = containerEnvironment(container, manifests);
        return [
          ...unresolved.map((u) => `${where}: no ${u} in ${K8S}`),
          ...unknownVariables(values.keys()).map((v) => `${where}: ${v}`),
        ];
      });
      expect(problems).toEqual([]);
    });

    it('probes /healthz and /readyz (the API: ?require=database) on the port gangway listens on (PORT, WORKER_HEALTH_PORT)', () => {
      for (const { where, container } of containers.filter((c) => c.kind === 'Deployment')) {
        const { values } = containerEnvironment(container, manifests);
        const listens = Number(values.get(container.args?.[0] === 'worker' ? 'WORKER_HEALTH_PORT' : 'PORT'));
        const portOf = (probe?: Probe) => {
          const port = probe?.httpGet.port;
          return typeof port === 'number' ? port : container.ports?.find((p) => p.name === port)?.containerPort;
        };
        const { startupProbe, livenessProbe, readinessProbe } = container;
        // The API stays in service through a Temporal outage (its PostgreSQL-only endpoints keep answering).
        const readiness = container.args?.[0] === 'worker' ? '/readyz' : '/readyz?require=database';
        expect([where, startupProbe?.httpGet.path, livenessProbe?.httpGet.path, readinessProbe?.httpGet.path]).toEqual([
          where,
          '/healthz',
          '/healthz',
          readiness,
        ]);
        expect([where, portOf(startupProbe), portOf(livenessProbe), portOf(readinessProbe)]).toEqual([
          where,
          listens,
          listens,
          listens,
        ]);
      }
    });

    it('gives each pod more time to stop than the drain delay and the worker’s shutdown grace take', () => {
      for (const { where, container, pod } of containers.filter((c) => c.kind === 'Deployment')) {
        const drainMs = ms(
          containerEnvironment(container, manifests).values.get('SHUTDOWN_DRAIN_DELAY') as ms.StringValue,
        );
        expect([where, (pod.terminationGracePeriodSeconds ?? 30) * 1000 > drainMs + WORKER_SHUTDOWN_GRACE_MS]).toEqual([
          where,
          true,
        ]);
      }
    });

    it('runs every pod as a numeric non-root user, without service-link variables', () => {
      for (const { where, pod } of containers) {
        expect([
          where,
          pod.securityContext?.runAsNonRoot,
          typeof pod.securityContext?.runAsUser,
          pod.enableServiceLinks,
        ]).toEqual([where, true, 'number', false]);
      }
    });

    it('carries no master key in the example Secret', () => {
      const secret = manifests.find((m) => m.kind === 'Secret' && m.metadata.name === 'gangway');
      expect(secret?.stringData?.GANGWAY_MASTER_KEY).toBe('');
    });
  });

  it('catch a misspelled setting and a command the CLI does not have', async () => {
    const fixture = parse(`
services:
  api:
    build: .
    command: ['serve']
    environment:
      DATABSE_URL: postgres://gangway@postgres/gangway
      HOST: 0.0.0.0
  postgres:
    image: postgres:16
    environment:
      POSTGRES_PASSWORD: gangway
  cache:
    image: redis:8
`) as { services: Record<string, ComposeService> };
    const { gangway, unrecognised } = composeServices(fixture);
    expect(gangway.map(([name]) => name)).toEqual(['api']);
    expect(unrecognised).toEqual(['cache']);
    expect(unknownVariables(inlineVariables(gangway[0][1]))).toEqual(['DATABSE_URL']);
    expect(
      await missingCommands([
        { where: 'fixture', command: ['serve'] },
        { where: 'fixture', command: ['migrat'] },
        { where: 'fixture', command: ['keys', 'rewrap'] },
      ]),
    ).toEqual(['fixture: gangway serve', 'fixture: gangway migrat']);
    expect(
      unknownVariables(
        envNames(
          finalStage(
            'FROM node AS build\nENV NPM_CONFIG_LOGLEVEL=warn\nFROM node\nENV GANGWAY_MASTERKEY=x LOG_LEVEL=info\n',
          ),
        ),
      ),
    ).toEqual(['GANGWAY_MASTERKEY']);
  });
});
