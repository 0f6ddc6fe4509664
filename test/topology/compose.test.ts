/**
 * docker-compose.yml cannot be run here (no Docker engine), so its structure is checked: the production-like
 * topology is all there, it scales out, every long-running service has a healthcheck, start-up order waits on
 * health or completion, Temporal runs on PostgreSQL with its schema set up, the app runs the production image
 * (Dockerfile), and no secret is written in the file.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { searchAttributes } from '../../workflows/contracts';
import { baseProcessEnv } from '../helpers/environment';

const root = path.resolve(__dirname, '../..');
const source = readFileSync(path.join(root, 'docker-compose.yml'), 'utf8');

interface Service {
  image?: string;
  build?: string | { context: string };
  command?: string | string[];
  entrypoint?: string | string[];
  environment?: Record<string, string | number | boolean>;
  env_file?: string | string[];
  depends_on?: Record<string, { condition: string }>;
  deploy?: { replicas?: number };
  healthcheck?: { test: string | string[]; disable?: boolean };
  restart?: string;
  volumes?: string[];
  ports?: string[];
}
interface ComposeFile {
  services: Record<string, Service>;
}

const compose = parse(source, { merge: true }) as ComposeFile;
const services = compose.services;
const text = (value: string | string[] | undefined) => (Array.isArray(value) ? value.join(' ') : (value ?? ''));
/** Jobs that run once and that others wait on with service_completed_successfully. */
const oneShot = new Set(
  Object.values(services).flatMap((s) =>
    Object.entries(s.depends_on ?? {})
      .filter(([, d]) => d.condition === 'service_completed_successfully')
      .map(([name]) => name),
  ),
);

describe('docker-compose.yml', () => {
  it('describes the whole production-like topology', () => {
    for (const name of ['postgres', 'redis', 'temporal', 'temporal-ui', 'api', 'worker']) {
      expect(services).toHaveProperty(name);
    }
    expect(services.postgres!.image).toMatch(/^postgres:\d+/);
    expect(services.redis!.image).toMatch(/^redis:\d+/);
    expect(services['temporal-ui']!.image).toMatch(/^temporalio\/ui:/);
  });

  it('runs several API and worker replicas, with a load balancer in front of the API', () => {
    expect(services.api!.deploy?.replicas).toBeGreaterThanOrEqual(2);
    expect(services.worker!.deploy?.replicas).toBeGreaterThanOrEqual(2);
    // Replicas cannot all publish one host port: only the balancer does.
    expect(services.api!.ports).toBeUndefined();
    const balancer = Object.entries(services).find(([, s]) => /^nginx:/.test(s.image ?? ''));
    expect(balancer).toBeDefined();
    const [balancerName, lb] = balancer!;
    expect(lb.depends_on?.api?.condition).toBe('service_healthy');
    const conf = readFileSync(path.join(root, 'deploy/nginx.conf'), 'utf8');
    expect(lb.volumes?.some((v) => v.startsWith('./deploy/nginx.conf:'))).toBe(true);
    // Socket.IO's long-polling handshake needs one client to keep one replica, and WebSockets need the upgrade.
    expect(conf).toMatch(/ip_hash;/);
    expect(conf).toMatch(/server api:3000;/);
    expect(conf).toMatch(/proxy_set_header Upgrade \$http_upgrade;/);
    // The API believes this header from the balancer (TRUST_PROXY): it must carry only the address nginx saw.
    expect(conf).toMatch(/proxy_set_header X-Forwarded-For \$remote_addr;/);
    expect(services.api!.environment?.TRUST_PROXY).toBe('uniquelocal');
    expect(balancerName).not.toBe('api');
  });

  it('gives every long-running service a healthcheck', () => {
    for (const [name, service] of Object.entries(services)) {
      if (oneShot.has(name)) {
        expect({ name, restart: service.restart }).toEqual({ name, restart: 'no' });
        continue;
      }
      expect({ name, healthcheck: Boolean(service.healthcheck?.test) && !service.healthcheck?.disable }).toEqual({
        name,
        healthcheck: true,
      });
    }
    // A probe that asks the process itself, not just whether the container runs.
    expect(text(services.api!.healthcheck!.test)).toContain('/readyz');
    expect(text(services.worker!.healthcheck!.test)).toContain(
      String(services.worker!.environment?.WORKER_METRICS_ADDRESS).split(':')[1],
    );
  });

  it('starts in order: every dependency waits on health or on a finished job', () => {
    const conditions = Object.values(services).flatMap((s) => Object.values(s.depends_on ?? {}));
    expect(conditions.length).toBeGreaterThan(0);
    for (const [name, service] of Object.entries(services)) {
      for (const [dependency, { condition }] of Object.entries(service.depends_on ?? {})) {
        expect(services).toHaveProperty(dependency);
        const expected = oneShot.has(dependency) ? 'service_completed_successfully' : 'service_healthy';
        expect({ name, dependency, condition }).toEqual({ name, dependency, condition: expected });
      }
    }
    // The app starts only after migrations ran and Temporal has the namespace and search attributes.
    for (const name of ['api', 'worker']) {
      const needs = services[name]!.depends_on!;
      expect(needs.migrate?.condition).toBe('service_completed_successfully');
      expect(needs['temporal-setup']?.condition).toBe('service_completed_successfully');
    }
    expect(services.api!.depends_on!.redis?.condition).toBe('service_healthy');
  });

  it('runs Temporal on PostgreSQL, with both schemas set up by temporal-sql-tool first', () => {
    const temporal = services.temporal!;
    expect(temporal.image).toBe('temporalio/server:1.29.1');
    expect(temporal.environment).toMatchObject({ DB: 'postgres12', POSTGRES_SEEDS: 'postgres' });
    expect(temporal.depends_on?.['temporal-schema']?.condition).toBe('service_completed_successfully');
    const schema = services['temporal-schema']!;
    expect(schema.image).toMatch(/^temporalio\/admin-tools:1\.29\.1/);
    expect(schema.depends_on?.postgres?.condition).toBe('service_healthy');
    expect(schema.environment).toMatchObject({ SQL_PLUGIN: 'postgres12', SQL_HOST: 'postgres' });
    const script = text(schema.command);
    for (const step of ['temporal-sql-tool', 'create-database', 'setup-schema', 'update-schema']) {
      expect(script).toContain(step);
    }
    expect(script).toContain('temporal_visibility');
    expect(script).toContain('/etc/temporal/schema/postgresql/v12/$$kind/versioned');
    // The server and the Docker-free script read the same dynamic config.
    expect(temporal.volumes).toContain(
      './deploy/temporal/dynamicconfig.yaml:/etc/temporal/config/dynamicconfig/gigbit.yaml:ro',
    );
    expect(temporal.environment?.DYNAMIC_CONFIG_FILE_PATH).toBe('config/dynamicconfig/gigbit.yaml');
  });

  it("registers the namespace and every one of GigBit's search attributes", () => {
    const setup = text(services['temporal-setup']!.command);
    expect(setup).toContain('operator namespace create');
    for (const key of Object.values(searchAttributes)) {
      const type = { KEYWORD: 'Keyword', INT: 'Int' }[key.type as string];
      expect(setup).toContain(`${key.name}=${type}`);
    }
    expect(services['temporal-setup']!.depends_on?.temporal?.condition).toBe('service_healthy');
  });

  it('runs the production build: one image from the Dockerfile, compiled entries, production dependencies only', () => {
    const dockerfile = readFileSync(path.join(root, 'Dockerfile'), 'utf8');
    for (const name of ['api', 'worker', 'migrate']) {
      const service = services[name]!;
      expect({ name, image: service.image, build: service.build }).toEqual({ name, image: 'gigbit:local', build: '.' });
      // The checkout is not mounted: the container runs what the image was built with.
      expect(service.volumes ?? []).not.toContainEqual(expect.stringMatching(/^\.:/));
    }
    // The entries npm run build emits (checked by test/api/production-build.test.ts), run by plain node.
    expect(services.migrate!.command).toEqual(['node', 'dist/scripts/db.js', 'migrate']);
    expect(services.api!.command).toEqual(['node', '--enable-source-maps', 'dist/api/server.js']);
    expect(services.worker!.command).toEqual(['node', '--enable-source-maps', 'dist/activities/worker.js']);
    expect(dockerfile).toMatch(/^RUN npm ci .*\n(.*\n)*RUN npm run build && npm prune --omit=dev/m);
    for (const built of ['dist', 'admin-web/dist', 'worker-app/dist', 'node_modules']) {
      expect(dockerfile).toContain(`COPY --from=build /app/${built} ./${built}`);
    }
    expect(dockerfile).toMatch(/^USER node$/m);
    const ignored = readFileSync(path.join(root, '.dockerignore'), 'utf8').split('\n');
    expect(ignored).toEqual(expect.arrayContaining(['node_modules', 'dist', '.env', '.data']));
  });

  it('takes configuration from .env and writes no secret into the file', () => {
    for (const name of ['api', 'worker', 'migrate']) {
      expect([services[name]!.env_file].flat()).toContain('.env');
    }
    // Every secret is a required variable: compose refuses to start without it, and no value sits in the file.
    const secretKeys = /(SECRET|PASSWORD|PWD|_KEY|SMTP_URL)$/;
    for (const [name, service] of Object.entries(services)) {
      for (const [key, value] of Object.entries(service.environment ?? {})) {
        if (!secretKeys.test(key)) continue;
        expect({ name, key, value: String(value) }).toEqual({
          name,
          key,
          value: expect.stringMatching(/^\$\{[A-Z_]+:\?[^}]+\}$/),
        });
      }
      const databaseUrl = service.environment?.DATABASE_URL;
      if (databaseUrl) expect(String(databaseUrl)).toMatch(/^postgres:\/\/gigbit:\$\{POSTGRES_PASSWORD:\?[^}]+\}@/);
    }
    expect(source).not.toMatch(/(SECRET|PASSWORD|PWD)\s*[:=]\s*['"]?[A-Za-z0-9+/]{12,}/);
  });

  it('uses only variables that .env.example documents', () => {
    const documented = new Set(
      readFileSync(path.join(root, '.env.example'), 'utf8')
        .split('\n')
        .map((line) => /^#?\s*([A-Z][A-Z0-9_]*)=/.exec(line)?.[1])
        .filter((key): key is string => Boolean(key)),
    );
    // `$$` escapes a shell variable from compose; only single-`$` references are interpolated by compose.
    const used = [...source.matchAll(/(?<!\$)\$\{([A-Z][A-Z0-9_]*)/g)].map((m) => m[1]!);
    expect(used.length).toBeGreaterThan(5);
    expect([...new Set(used)].filter((key) => !documented.has(key))).toEqual([]);
  });

  // Where a compose client exists (a developer's machine, CI with Docker), it must accept the file as well.
  const composeClient = spawnSync('docker', ['compose', 'version'], { encoding: 'utf8' }).status === 0;
  it(`is accepted by \`docker compose config\` ${composeClient ? '' : '(no compose client here: parse only)'}`, () => {
    if (!composeClient) {
      expect(() => void parse(source, { merge: true, strict: true })).not.toThrow();
      return;
    }
    // A scratch project: the file and an .env holding every required variable (compose reads env_file too).
    const dir = mkdtempSync(path.join(os.tmpdir(), 'gigbit-compose-'));
    copyFileSync(path.join(root, 'docker-compose.yml'), path.join(dir, 'docker-compose.yml'));
    const required = [...source.matchAll(/(?<!\$)\$\{([A-Z][A-Z0-9_]*):\?/g)].map((m) => m[1]!);
    writeFileSync(
      path.join(dir, '.env'),
      [...new Set(required)]
        .map((key) => `${key}=${key.endsWith('URL') ? 'https://example.invalid' : 'x'.repeat(40)}`)
        .join('\n'),
    );
    const result = spawnSync('docker', ['compose', 'config', '--quiet'], {
      cwd: dir,
      encoding: 'utf8',
      env: baseProcessEnv(),
    });
    rmSync(dir, { recursive: true, force: true });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });
});
