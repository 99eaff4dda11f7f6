// Generated modules type-check with the real TypeScript compiler in strict mode, and their
// types catch a caller's mistakes: a wrong global name or type is a compile error.
import path from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { compile } from "../compiler/compile.js";
import { validFlow } from "./arbitraries/flow.js";
import { exampleFlows, GENERATED, readRepoFile, tempDir, type TscError } from "./compile-helpers.js";
import { typeCheck } from "./compile-helpers.js";

const temp = tempDir("compile-typecheck");
afterAll(() => (process.env["KEEP_TMP"] ? undefined : temp.remove()));

const golden = exampleFlows().map((file) => path.join(GENERATED, `${path.posix.basename(file)}.ts`));

function moduleOf(source: string, file: string): string {
  const result = compile(source, { file });
  const text = result.files[0]?.text;
  if (text === undefined) throw new Error(`${file} did not compile: ${JSON.stringify(result.diagnostics)}`);
  return text;
}

// A caller using the generated API the way the README shows.
const GOOD_USAGE = `
import type { FlowDefinition } from "callflow/runtime";
import { orderStatusFlow, runOrderStatus, type OrderStatusConfig, type OrderStatusInput, type OrderStatusSecret, type OrderStatusVariables, type OrderStatusWidgetId } from "../../examples/generated/order-status.flow.js";
import { runAppointmentReminder } from "../../examples/generated/appointment-reminder.flow.js";
import { runPaymentStatus } from "../../examples/generated/payment-status.flow.js";

// An environment's config, built once and passed with every run.
const config: OrderStatusConfig = { api_base: "http://127.0.0.1:1" };
const input: OrderStatusInput = { caller_id: "+15550100", order_id: "1001" };
const result = await runOrderStatus(input, {
  config,
  maxSteps: 20,
  onRoute: (queue, ctx) => {
    const widget: OrderStatusWidgetId = ctx.widget;
    void [queue, widget];
  },
});
const count: number = result.variables.item_count;
const shipDate: string = result.variables.ship_date;
const customer: unknown = result.variables.customer;
const last4: string | undefined = result.variables.card_last4;
if (result.outcome.kind === "route") {
  const queue: string = result.outcome.queue;
  void queue;
}
const secret: OrderStatusSecret = "CRM_TOKEN";
const flow: FlowDefinition<OrderStatusVariables, OrderStatusSecret, OrderStatusWidgetId> = orderStatusFlow;
await runAppointmentReminder({ appointment_id: "a1", patient_phone: "+15550101" }, { config });
await runPaymentStatus({ account_id: "77" }, { config: { api_base: "https://billing.example" } });
void [count, shipDate, customer, last4, secret, flow];
`;

// Each line is one mistake; the test expects exactly these errors on exactly these lines.
const BAD_USAGE = `
import { runOrderStatus } from "../../examples/generated/order-status.flow.js";
const base = { caller_id: "+15550100" };
const env = { config: { api_base: "https://crm.example" } } as const;
await runOrderStatus({ ...base, order_id: 1001 }, env);
await runOrderStatus({ ...base, order_id: "1001", caller: "x" }, env);
await runOrderStatus({ order_id: "1001" }, env);
await runOrderStatus({ ...base, order_id: "1001", item_count: 3 }, env);
const result = await runOrderStatus({ ...base, order_id: "1001" }, env);
const shipDate: number = result.variables.ship_date;
const missing = result.variables.shipping_date;
await runOrderStatus({ ...base, order_id: "1001" }, { ...env, onRoute: (_queue, ctx) => { const w: "nope" = ctx.widget; void w; } });
await runOrderStatus({ ...base, order_id: "1001" });
await runOrderStatus({ ...base, order_id: "1001" }, { config: {} });
await runOrderStatus({ ...base, order_id: "1001" }, { config: { api_base: "crm.example" } });
await runOrderStatus({ ...base, order_id: "1001", api_base: "https://elsewhere.example" }, env);
void [shipDate, missing];
`;

const BAD_LINES: readonly (readonly [number, string])[] = [
  [5, "TS2322"], // order_id: number
  [6, "TS2353"], // unknown global `caller`
  [7, "TS2741"], // caller_id missing
  [8, "TS2353"], // a local is not an input
  [10, "TS2322"], // ship_date is a string
  [11, "TS2551"], // no variable shipping_date (did you mean ship_date?)
  [12, "TS2322"], // widget ids are a union of the flow's ids
  [13, "TS2554"], // a flow with configs needs them: no options is an error
  [14, "TS2322"], // a missing config
  [15, "TS2322"], // a config of the wrong form: a url is http(s)
  [16, "TS2353"], // a config is not run input
];

function describeErrors(errors: readonly TscError[]): string {
  return errors.map((e) => `${path.basename(e.file)}:${e.line} ${e.code} ${e.message}`).join("\n");
}

describe("generated modules type-check", () => {
  it("examples, the contract, random valid flows and a typed caller pass strict tsc; a wrong caller fails", () => {
    const files: Record<string, string> = {
      "contract.flow.ts": moduleOf(readRepoFile("test/fixtures/contract.flow"), "test/fixtures/contract.flow"),
      "good.ts": GOOD_USAGE,
      "bad.ts": BAD_USAGE,
    };
    const samples = fc.sample(validFlow(), { numRuns: 60, seed: 20261125 });
    samples.forEach((sample, i) => {
      files[`random-${i}.flow.ts`] = moduleOf(sample.source, `random/${i}.flow`);
    });
    // The js emit's declarations must stand on their own too.
    const js = compile(readRepoFile("examples/payment-status.flow"), {
      file: "examples/payment-status.flow",
      emit: "js",
    });
    for (const file of js.files) files[file.path] = file.text;
    files["dts-usage.ts"] =
      `import { runPaymentStatus } from "./payment-status.flow.js";\nawait runPaymentStatus({ account_id: "77" }, { config: { api_base: "https://x.example" } });\n`;

    const errors = typeCheck(temp.dir, files, golden);
    const bad = errors.filter((e) => path.basename(e.file) === "bad.ts");
    const others = errors.filter((e) => path.basename(e.file) !== "bad.ts");
    expect(describeErrors(others)).toBe("");
    expect(bad.map((e) => [e.line, e.code])).toEqual(BAD_LINES);
  });
});
