/** The HTTP plumbing the simulators share: JSON in and out on loopback, malformed input answered with 400. */
import http from 'node:http';

export interface JsonRequest {
  method: string;
  url: URL;
  headers: http.IncomingHttpHeaders;
  /** The raw body; handlers parse it (a parse error becomes a 400). */
  body: string;
}

export type JsonReply = [status: number, body: unknown];

export async function startJsonServer(
  port: number | undefined,
  handle: (request: JsonRequest) => JsonReply | Promise<JsonReply>,
): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => {
      // A handler may answer later (a slow bank); a throw, sync or async, is a malformed request.
      void Promise.resolve()
        .then(() =>
          handle({
            method: req.method ?? 'GET',
            url: new URL(req.url ?? '/', 'http://simulator'),
            headers: req.headers,
            body,
          }),
        )
        .catch((): JsonReply => [400, { error: 'malformed request' }])
        .then((reply) => {
          if (!res.destroyed) {
            res.writeHead(reply[0], { 'content-type': 'application/json' }).end(JSON.stringify(reply[1]));
          }
        });
    });
  });
  await new Promise<void>((resolve) => server.listen(port ?? 0, '127.0.0.1', resolve));
  const address = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${address.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Answers still being held (a slow bank) must not keep the simulator open.
        server.closeAllConnections();
      }),
  };
}
