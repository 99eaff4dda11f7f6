// A real node:http server on 127.0.0.1 (ephemeral port) with scripted behaviours, for tests
// that run flows over the network: responses, resets, hangs, slow drips, redirects. Every
// request is recorded, and each recorded request tells when its socket closed, so a test can
// check that the client let go of it.
import { createServer, type IncomingHttpHeaders, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";

export interface RecordedRequest {
  readonly method: string;
  /** Path and query as received. */
  readonly url: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  /** The client's port: requests with the same one came over the same connection. */
  readonly remotePort: number;
  /** 1-based count of requests to this path so far, this one included. */
  readonly hit: number;
  /** Resolves when the socket that carried this request closes. */
  readonly closed: Promise<void>;
}

export type Behaviour =
  /** A plain response; `json` is serialised with a JSON content type. */
  | {
      readonly status?: number;
      readonly headers?: Readonly<Record<string, string>>;
      readonly body?: string | Uint8Array;
      readonly json?: unknown;
      readonly delayMs?: number;
    }
  /** The request as JSON: method, url, headers, body. The default for unscripted paths. */
  | { readonly echo: true; readonly status?: number }
  /** Destroys the socket: before any response, or after the headers and `partial` body bytes (chunked). */
  | { readonly reset: true; readonly partial?: string }
  /** Declares `declared` bytes of body, sends `body` (fewer), then closes the connection. */
  | { readonly truncate: { readonly declared: number; readonly body: string } }
  /** Never answers. */
  | { readonly hang: true }
  /** Headers at once, then `chunk` every `intervalMs`, `count` times. */
  | {
      readonly drip: { readonly chunk: string; readonly intervalMs: number; readonly count: number };
      readonly status?: number;
    }
  | { readonly redirect: string; readonly status?: 301 | 302 | 303 | 307 | 308 }
  /** A chunked body written piece by piece, `intervalMs` apart, so the client reads them separately. */
  | { readonly pieces: readonly Uint8Array[]; readonly intervalMs: number };

export type Script = Behaviour | ((request: RecordedRequest) => Behaviour);

export interface TestServer {
  /** `http://127.0.0.1:PORT`, no trailing slash. */
  readonly url: string;
  readonly requests: RecordedRequest[];
  /** Scripts a path: the nth request gets the nth behaviour, the last one repeats. Replaces earlier scripts. */
  route(path: string, ...scripts: Script[]): void;
  /** Requests received for a path. */
  hits(path: string): RecordedRequest[];
  /** Server-side sockets currently open. */
  openSockets(): number;
  /** Forgets requests and hit counts (scripts stay). */
  reset(): void;
  close(): Promise<void>;
}

export async function startServer(): Promise<TestServer> {
  const scripts = new Map<string, Script[]>();
  const counts = new Map<string, number>();
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();
  const socketClosed = new WeakMap<Socket, Promise<void>>();
  const timers = new Set<NodeJS.Timeout>();

  /** Runs `fn` after `ms` unless the response closes first: a closed socket leaves no timer of ours behind. */
  const later = (res: ServerResponse, ms: number, fn: () => void): void => {
    const cancel = (): void => {
      clearTimeout(timer);
      timers.delete(timer);
    };
    const timer = setTimeout(() => {
      timers.delete(timer);
      res.off("close", cancel);
      fn();
    }, ms);
    timers.add(timer);
    res.once("close", cancel);
  };

  const respond = (res: ServerResponse, request: RecordedRequest, behaviour: Behaviour): void => {
    const socket = res.req.socket;
    if ("hang" in behaviour) return;
    if ("reset" in behaviour) {
      if (behaviour.partial === undefined) {
        socket.destroy();
        return;
      }
      res.writeHead(200, { "Content-Type": "application/json" });
      res.write(behaviour.partial, () => socket.destroy());
      return;
    }
    if ("truncate" in behaviour) {
      const { declared, body } = behaviour.truncate;
      res.writeHead(200, { "Content-Type": "application/json", "Content-Length": String(declared) });
      res.write(body, () => socket.destroy());
      return;
    }
    if ("echo" in behaviour) {
      const { method, url, headers, body } = request;
      res.writeHead(behaviour.status ?? 200, { "Content-Type": "application/json" });
      res.end(JSON.stringify({ method, url, headers, body }));
      return;
    }
    if ("redirect" in behaviour) {
      res.writeHead(behaviour.status ?? 302, { Location: behaviour.redirect });
      res.end("redirecting");
      return;
    }
    if ("pieces" in behaviour) {
      res.writeHead(200, { "Content-Type": "application/json" });
      const rest = [...behaviour.pieces];
      const next = (): void => {
        const piece = rest.shift();
        if (res.destroyed) return;
        if (piece === undefined) res.end();
        else res.write(piece, () => later(res, behaviour.intervalMs, next));
      };
      next();
      return;
    }
    if ("drip" in behaviour) {
      const { chunk, intervalMs, count } = behaviour.drip;
      res.writeHead(behaviour.status ?? 200, { "Content-Type": "application/json" });
      let sent = 0;
      const tick = (): void => {
        if (res.destroyed) return;
        if (sent++ === count) {
          res.end();
          return;
        }
        res.write(chunk);
        later(res, intervalMs, tick);
      };
      tick();
      return;
    }
    const send = (): void => {
      if (res.destroyed) return;
      const headers: Record<string, string> = { ...behaviour.headers };
      let body = behaviour.body;
      if (behaviour.json !== undefined) {
        body = JSON.stringify(behaviour.json);
        headers["Content-Type"] ??= "application/json";
      }
      res.writeHead(behaviour.status ?? 200, headers);
      res.end(body);
    };
    if (behaviour.delayMs) later(res, behaviour.delayMs, send);
    else send();
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const url = req.url ?? "/";
      const parsed = new URL(url, "http://127.0.0.1");
      const hit = (counts.get(parsed.pathname) ?? 0) + 1;
      counts.set(parsed.pathname, hit);
      const request: RecordedRequest = {
        method: req.method ?? "",
        url,
        path: parsed.pathname,
        query: parsed.searchParams,
        headers: req.headers,
        body: Buffer.concat(chunks).toString("utf8"),
        remotePort: req.socket.remotePort ?? 0,
        hit,
        closed: socketClosed.get(req.socket) ?? Promise.resolve(),
      };
      requests.push(request);
      const script = scripts.get(parsed.pathname);
      const step = script === undefined ? { echo: true as const } : script[Math.min(hit, script.length) - 1]!;
      respond(res, request, typeof step === "function" ? step(request) : step);
    });
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socketClosed.set(socket, new Promise((resolve) => socket.once("close", () => resolve())));
    socket.once("close", () => sockets.delete(socket));
  });

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    route(path, ...list) {
      scripts.set(path, list);
    },
    hits: (path) => requests.filter((r) => r.path === path),
    openSockets: () => sockets.size,
    reset() {
      requests.length = 0;
      counts.clear();
    },
    async close() {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
