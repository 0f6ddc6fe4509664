/**
 * Finds or builds the pinned Temporal CLI (it embeds the dev server and the Web UI). No npm or Debian package ships
 * it and the SDK cannot download it here, so it is built from Go modules into a per-version cache outside the
 * repository, once per machine. Tooling settings (TEMPORAL_CLI_PATH, GIGBIT_CACHE_DIR) are read here, not in api/config.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const TEMPORAL_CLI_VERSION = 'v1.5.1';
/** What the pinned CLI reports; a `go install` build says "0.0.0-DEV", so the embedded server version is the check. */
const EXPECTED_SERVER = 'Server 1.29.1';

export function cacheRoot(): string {
  return (
    process.env.GIGBIT_CACHE_DIR ?? path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'gigbit')
  );
}

function isSuitable(binary: string): boolean {
  if (!existsSync(binary)) return false;
  const result = spawnSync(binary, ['--version'], { encoding: 'utf8', timeout: 10_000 });
  return result.status === 0 && result.stdout.includes(EXPECTED_SERVER);
}

function onPath(): string | undefined {
  const found = spawnSync('sh', ['-c', 'command -v temporal'], { encoding: 'utf8' }).stdout.trim();
  return found || undefined;
}

function findGo(): string {
  for (const candidate of [process.env.GO, onPathOf('go'), '/usr/local/go/bin/go']) {
    if (candidate && existsSync(candidate)) return candidate;
  }
  throw new Error(
    'The Temporal CLI is not installed and Go is not available to build it. Install Go ≥ 1.25, or put a Temporal CLI ' +
      `${TEMPORAL_CLI_VERSION} binary on PATH or in TEMPORAL_CLI_PATH.`,
  );
}

function onPathOf(command: string): string | undefined {
  return spawnSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' }).stdout.trim() || undefined;
}

/** Serialises concurrent builds (npm start and npm test at once) with an atomic mkdir lock. */
function withLock<T>(lockDir: string, fn: () => T): T {
  const deadline = Date.now() + 15 * 60_000;
  for (;;) {
    try {
      mkdirSync(lockDir);
      break;
    } catch {
      // A lock older than the longest plausible build was left by a killed process.
      if (existsSync(lockDir) && Date.now() - statSync(lockDir).mtimeMs > 15 * 60_000) {
        rmSync(lockDir, { recursive: true, force: true });
      }
      if (Date.now() > deadline) throw new Error(`Timed out waiting for ${lockDir}`);
      execFileSync('sleep', ['1']);
    }
  }
  try {
    return fn();
  } finally {
    rmSync(lockDir, { recursive: true, force: true });
  }
}

/** Returns the path of a suitable `temporal` binary, building it first when none exists. */
export function ensureTemporalCli(log: (line: string) => void = console.log): string {
  const explicit = process.env.TEMPORAL_CLI_PATH;
  if (explicit) {
    if (isSuitable(explicit)) return explicit;
    throw new Error(`TEMPORAL_CLI_PATH=${explicit} is not a Temporal CLI embedding ${EXPECTED_SERVER}`);
  }
  const cacheDir = path.join(cacheRoot(), 'temporal-cli', TEMPORAL_CLI_VERSION);
  const cached = path.join(cacheDir, 'temporal');
  if (isSuitable(cached)) return cached;
  const fromPath = onPath();
  if (fromPath && isSuitable(fromPath)) return fromPath;

  mkdirSync(cacheDir, { recursive: true });
  return withLock(`${cacheDir}.lock`, () => {
    if (isSuitable(cached)) return cached; // another process built it while we waited
    const go = findGo();
    const staging = path.join(cacheDir, `build-${process.pid}`);
    log(
      `Building the Temporal CLI ${TEMPORAL_CLI_VERSION} from Go modules into ${cacheDir} (first run only; a few minutes)…`,
    );
    const started = Date.now();
    const result = spawnSync(go, ['install', `github.com/temporalio/cli/cmd/temporal@${TEMPORAL_CLI_VERSION}`], {
      env: { ...process.env, GOBIN: staging, GOFLAGS: '-trimpath' },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    if (result.status !== 0) {
      rmSync(staging, { recursive: true, force: true });
      throw new Error(`go install of the Temporal CLI failed (exit ${result.status ?? result.signal})`);
    }
    renameSync(path.join(staging, 'temporal'), cached);
    rmSync(staging, { recursive: true, force: true });
    log(`Temporal CLI built in ${((Date.now() - started) / 1000).toFixed(0)} s: ${cached}`);
    return cached;
  });
}

if (require.main === module) {
  console.log(ensureTemporalCli());
}
