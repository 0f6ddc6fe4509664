import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(__dirname, '../..');

/**
 * No key material or password in the repository. Tests and `npm start` generate their secrets at run time;
 * production reads them from the environment. A literal that looks like a credential fails this test.
 */
const PATTERNS: Array<[name: string, pattern: RegExp]> = [
  ['private key block', /-----BEGIN (?:RSA |EC |OPENSSH |DSA )?PRIVATE KEY-----/],
  ['AWS access key id', /\bAKIA[0-9A-Z]{16}\b/],
  ['Google API key', /\bAIza[0-9A-Za-z_-]{35}\b/],
  ['GitHub token', /\bgh[pousr]_[0-9A-Za-z]{36}\b/],
  ['Slack token', /\bxox[abposr]-[0-9A-Za-z-]{10,}/],
  ['Stripe live key', /\b[sr]k_live_[0-9A-Za-z]{16,}/],
  ['credentials in a URL', /\b[a-z][a-z0-9+.-]*:\/\/[^\s:/@'"`]+:([^\s:/@'"`]{3,})@/i],
  // name = 'literal' where the name says secret and the literal is not a reference or a placeholder.
  [
    'secret-like assignment',
    /\b(?:[A-Za-z_]*(?:secret|password|passwd|api[_-]?key|private[_-]?key|access[_-]?token|auth[_-]?token)[A-Za-z_]*)\s*[:=]\s*['"`]([^'"`\s$]{8,})['"`]/i,
  ],
  ['long hex or base64 literal', /['"`](?:[0-9a-f]{40,}|[A-Za-z0-9+/]{48,}={0,2})['"`]/],
];

/** Literals that say what they are and protect nothing: placeholders of docs and examples, references. */
const HARMLESS = /^(?:change-?me|example|placeholder|x+|\.\.\.|<[^>]+>|\$\{?[A-Z_]+.*)$/i;

/** Recorded workflow histories carry payloads as base64 JSON: data, not keys. */
const isEncodedJson = (literal: string) => /^[[{"]/.test(Buffer.from(literal.slice(1, -1), 'base64').toString('utf8'));

/** PNG/JPEG/WebP signatures in hex: test images, not keys. */
const isImageHex = (literal: string) => /^.(89504e47|ffd8ff|52494646)/i.test(literal);

function trackedFiles(): string[] {
  return execFileSync('git', ['ls-files', '-z'], { cwd: root, encoding: 'utf8' })
    .split('\0')
    .filter((file) => file && !/\.(png|jpe?g|webp|ico|gif|woff2?)$/.test(file) && file !== 'package-lock.json');
}

export function findSecrets(text: string): string[] {
  const found: string[] = [];
  text.split('\n').forEach((line, index) => {
    for (const [name, pattern] of PATTERNS) {
      const match = pattern.exec(line);
      if (!match || (match[1] && HARMLESS.test(match[1]))) continue;
      if (name === 'long hex or base64 literal' && (isEncodedJson(match[0]) || isImageHex(match[0]))) continue;
      found.push(`line ${index + 1}: ${name}`);
    }
  });
  return found;
}

describe('secret scan of the tracked files', () => {
  it('recognises the shapes it is meant to catch', () => {
    // Assembled at run time, so this file does not trip its own scan.
    const samples = [
      `const pass${'word'} = 'hunter2-but-longer';`,
      `DATABASE_URL=postgres://gigbit:${'s3cr3tpass'}@db:5432/gigbit`,
      `  webhookSecret: "${'ab12'.repeat(12)}",`,
      `-----BEGIN ${'PRIVATE'} KEY-----`,
      `const k = 'AKIA${'ABCDEFGHIJKLMNOP'}';`,
    ];
    for (const sample of samples) expect(findSecrets(sample)).not.toEqual([]);
    for (const fine of [
      `const password = randomBytes(12).toString('base64url');`,
      `ACCESS_TOKEN_SECRET: \${ACCESS_TOKEN_SECRET:?set it in .env}`,
      `password: 'changeme'`,
      `# e.g. smtps://<user>:<password>@smtp.example.com:465`,
      `"data": "${Buffer.from(JSON.stringify({ workflowId: 'withdrawal-1', amountPaise: 600000 })).toString('base64')}"`,
    ]) {
      expect(findSecrets(fine)).toEqual([]);
    }
  });

  it('finds no key- or password-like literal in any tracked file', () => {
    const files = trackedFiles();
    expect(files.length).toBeGreaterThan(50);
    const findings = files.flatMap((file) =>
      findSecrets(readFileSync(path.join(root, file), 'utf8')).map((finding) => `${file} ${finding}`),
    );
    expect(findings).toEqual([]);
  });
});
