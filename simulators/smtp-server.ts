/**
 * A real SMTP server (the smtp-server package) standing in for the mail provider: it accepts every message on
 * loopback and keeps it, and `GET /messages?to=` on a small HTTP side port lists what arrived (newest first).
 * Run as its own process (`node --import tsx simulators/smtp-server.ts`): it prints
 * `{"smtpPort":…, "httpPort":…}` on its first stdout line. SMTP_PORT / SMTP_HTTP_PORT pick fixed ports.
 */
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { startJsonServer } from './json-server';

interface ReceivedMail {
  from: string;
  to: string[];
  raw: string;
  /** The part after the headers, with quoted-printable soft line breaks undone. */
  body: string;
  receivedAt: string;
}

async function main(): Promise<void> {
  const inbox: ReceivedMail[] = [];
  const smtp = new SMTPServer({
    authOptional: true,
    // Plain SMTP on loopback: no certificate to trust in tests; production uses smtps:// or STARTTLS.
    disabledCommands: ['STARTTLS'],
    size: 1024 * 1024,
    onData(stream, session, callback) {
      let raw = '';
      stream.on('data', (chunk: Buffer) => (raw += chunk.toString('utf8')));
      stream.on('end', () => {
        const separator = raw.indexOf('\r\n\r\n');
        inbox.unshift({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw,
          body: (separator >= 0 ? raw.slice(separator + 4) : raw).replace(/=\r\n/g, ''),
          receivedAt: new Date().toISOString(),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(Number(process.env.SMTP_PORT ?? 0), '127.0.0.1', resolve));
  const http = await startJsonServer(Number(process.env.SMTP_HTTP_PORT ?? 0), ({ method, url }) => {
    if (method !== 'GET' || url.pathname !== '/messages') return [404, { error: 'not found' }];
    const to = url.searchParams.get('to');
    return [200, { messages: to ? inbox.filter((m) => m.to.includes(to)) : inbox }];
  });
  const smtpPort = (smtp.server.address() as AddressInfo).port;
  console.log(JSON.stringify({ smtpPort, httpPort: Number(new URL(http.url).port) }));
  const stop = () => smtp.close(() => void http.close().then(() => process.exit(0)));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

void main();
