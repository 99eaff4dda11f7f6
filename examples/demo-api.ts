// The embedded example API that `npm run demo` and the end-to-end tests call: a small
// node:http server on 127.0.0.1 serving what the example flows need.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** The secret values the demo API accepts; the demo passes them to flows through environment variables. */
export const DEMO_SECRETS = {
  CRM_TOKEN: "demo-crm-token-5f2a",
  SCHEDULER_KEY: "demo-scheduler-key-91c3",
  BILLING_TOKEN: "demo-billing-token-77e0",
} as const;

const ORDERS: Record<string, unknown> = {
  "1001": {
    shipDate: "2026-12-02",
    // A delivery promise as ISO 8601 with an offset: 16:00 UTC, before Christmas Eve noon in Paris.
    promisedBy: "2026-12-04T17:00:00+01:00",
    items: [{ sku: "HEADSET-2" }, { sku: "CABLE-USB-C" }, { sku: "STAND" }],
    customer: { name: "Ada Lovelace", vip: false },
    payment: { last4: "4242" },
  },
  "2002": {
    shipDate: "2026-11-28",
    items: [{ sku: "DESK-PHONE" }],
    customer: { name: "Grace Hopper", vip: true },
    payment: { last4: "1881" },
  },
};

const ACCOUNTS: Record<string, unknown> = {
  "77": {
    balance: 42.5,
    state: "overdue",
    autopay: false,
    card: { last4: "0005" },
    invoices: [
      { id: "INV-2026-10", status: "paid" },
      { id: "INV-2026-11", status: "open" },
    ],
  },
  "88": { balance: 0, state: "current", autopay: true, card: { last4: "3333" }, invoices: [] },
};

export interface DemoApi {
  readonly url: `http://${string}`;
  /** Requests seen, as `METHOD /path -> status`, for tests. */
  readonly log: readonly string[];
  close(): Promise<void>;
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text), ...headers });
  res.end(text);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

/** Starts the API on a free port of 127.0.0.1. */
export async function startDemoApi(port = 0): Promise<DemoApi> {
  const log: string[] = [];
  // Each appointment's first reminder request fails with 503 + Retry-After, to show a retry.
  const remindersSeen = new Set<string>();

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<number> => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const parts = url.pathname
      .split("/")
      .filter((p) => p !== "")
      .map(decodeURIComponent);

    if (req.method === "GET" && parts[0] === "orders" && parts.length === 2) {
      if (req.headers.authorization !== `Bearer ${DEMO_SECRETS.CRM_TOKEN}`)
        return reply(401, { error: "unauthorized" });
      const order = ORDERS[parts[1] ?? ""];
      return order === undefined ? reply(404, { error: `no order ${parts[1]}` }) : reply(200, order);
    }

    if (req.method === "POST" && parts[0] === "appointments" && parts[2] === "reminders" && parts.length === 3) {
      if (req.headers["x-api-key"] !== DEMO_SECRETS.SCHEDULER_KEY) return reply(401, { error: "unauthorized" });
      const form = new URLSearchParams(await readBody(req));
      const id = parts[1] ?? "";
      if (!remindersSeen.has(id)) {
        remindersSeen.add(id);
        return reply(503, { error: "scheduler busy" }, { "retry-after": "1" });
      }
      return reply(
        201,
        { reminderId: `R-${id}`, slot: "Tuesday 9:30", phone: form.get("phone"), channel: form.get("channel") },
        { "x-request-id": `req-${id}-2` },
      );
    }

    if (req.method === "GET" && parts[0] === "accounts" && parts[2] === "billing" && parts.length === 3) {
      if (req.headers.authorization !== `Bearer ${DEMO_SECRETS.BILLING_TOKEN}`)
        return reply(401, { error: "unauthorized" });
      const account = ACCOUNTS[parts[1] ?? ""];
      return account === undefined ? reply(404, { error: `no account ${parts[1]}` }) : reply(200, account);
    }

    // order-routing.flow: each order id answers the way its exit needs (5030: the service is down,
    // its backup knows the order and promises it in Unix seconds, after Christmas; 4010: the token is refused).
    if (req.method === "GET" && parts[0] === "routing" && parts.at(-2) === "orders" && parts.length <= 4) {
      const backup = parts[1] === "backup";
      const id = parts.at(-1) ?? "";
      if (req.headers.authorization !== `Bearer ${DEMO_SECRETS.CRM_TOKEN}` || id === "4010")
        return reply(401, { error: { code: "TOKEN_REFUSED" } });
      if (id === "5030" && !backup) return reply(503, { error: { code: "MAINTENANCE" } });
      const order = ORDERS[id] ?? (id === "5030" ? { shipDate: "2026-12-05", promisedBy: 1798279200 } : undefined);
      return order === undefined ? reply(404, { error: { code: "ORDER_UNKNOWN" } }) : reply(200, order);
    }

    return reply(404, { error: "no such endpoint" });

    function reply(status: number, body: unknown, headers: Record<string, string> = {}): number {
      send(res, status, body, headers);
      return status;
    }
  };

  const server = createServer((req, res) => {
    handle(req, res).then(
      (status) => log.push(`${req.method} ${req.url} -> ${status}`),
      () => {
        if (!res.headersSent) send(res, 500, { error: "demo api failed" });
      },
    );
  });
  // The port the "local" environment of callflow.json names; 0 picks a free one (tests).
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", resolve);
  });
  const address = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${address.port}`,
    log,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
