import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { cachedCliPath, findTemporalCli, TEMPORAL_CLI_MODULE } from '../../infra/temporal-cli';

/** The lookup order, with fake executables in a temporary directory (nothing is built or downloaded). */
describe('findTemporalCli', () => {
  let dir: string;
  let project: string; // has a cached CLI
  let emptyProject: string; // has none
  let pathDir: string; // holds a `temporal`
  let notExecutable: string;

  const executable = async (file: string, script = '#!/bin/sh\nexit 0\n') => {
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, script);
    await chmod(file, 0o755);
    return file;
  };

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'gangway-cli-'));
    project = path.join(dir, 'project');
    emptyProject = path.join(dir, 'empty-project');
    await mkdir(emptyProject);
    await executable(cachedCliPath(project));
    pathDir = path.join(dir, 'path-bin');
    await executable(path.join(pathDir, 'temporal'));
    notExecutable = path.join(dir, 'not-executable');
    await writeFile(notExecutable, '#!/bin/sh\n');
    await chmod(notExecutable, 0o644);
  });

  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('takes TEMPORAL_CLI_PATH first, and fails clearly when it is not an executable file', async () => {
    const given = await executable(path.join(dir, 'given', 'temporal'));
    const env = { PATH: pathDir };
    await expect(findTemporalCli({ projectRoot: project, env: { ...env, TEMPORAL_CLI_PATH: given } })).resolves.toBe(
      given,
    );
    for (const bad of [notExecutable, dir, path.join(dir, 'missing')]) {
      await expect(findTemporalCli({ projectRoot: project, env: { ...env, TEMPORAL_CLI_PATH: bad } })).rejects.toThrow(
        `TEMPORAL_CLI_PATH=${bad} is not an executable file`,
      );
    }
  });

  it('prefers a temporal on PATH to the project cache', async () => {
    const env = { PATH: [path.join(dir, 'nothing-here'), pathDir].join(path.delimiter) };
    await expect(findTemporalCli({ projectRoot: project, env })).resolves.toBe(path.join(pathDir, 'temporal'));
  });

  it('finds the project cache with an empty PATH', async () => {
    await expect(findTemporalCli({ projectRoot: project, env: { PATH: '' } })).resolves.toBe(cachedCliPath(project));
  });

  it('builds into the project cache with `GOBIN=<cache> go install <module>` when Go is there', async () => {
    // A stand-in `go` that records how it was called and "installs" a CLI into $GOBIN.
    const goDir = path.join(dir, 'go-bin');
    await executable(
      path.join(goDir, 'go'),
      '#!/bin/sh\necho "GOBIN=$GOBIN $*" > "$GOBIN/../go-call"\nprintf "#!/bin/sh\\n" > "$GOBIN/temporal"\n/bin/chmod 755 "$GOBIN/temporal"\n',
    );
    const fresh = path.join(dir, 'fresh-project');
    const found = await findTemporalCli({ projectRoot: fresh, env: { PATH: goDir } });
    expect(found).toBe(cachedCliPath(fresh));
    const call = await readFile(path.join(fresh, '.temporal', 'go-call'), 'utf8');
    expect(call.trim()).toBe(`GOBIN=${path.dirname(cachedCliPath(fresh))} install ${TEMPORAL_CLI_MODULE}`);
  });

  it('says what to do when there is no CLI and no Go', async () => {
    await expect(findTemporalCli({ projectRoot: emptyProject, env: { PATH: '' } })).rejects.toThrow(
      /no Temporal CLI found: set TEMPORAL_CLI_PATH .* or install Go/,
    );
  });
});
