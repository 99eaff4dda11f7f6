// An application running a generated flow module. `callflow compile examples --out-dir
// examples/generated` wrote ./generated/order-status.flow.ts from order-status.flow: it exports
// typed globals (OrderStatusInput), the typed config of an environment (OrderStatusConfig), typed
// variables and `runOrderStatus`.
//
// Run it: npm run app (Node 24 runs TypeScript directly, so the imports name the .ts files;
// a compiled app would import the .js files instead).
import type { SecretProvider } from "callflow/runtime";
import { DEMO_SECRETS, startDemoApi } from "./demo-api.ts";
import {
  runOrderStatus,
  type OrderStatusConfig,
  type OrderStatusInput,
  type OrderStatusSecret,
} from "./generated/order-status.flow.ts";

// Your own secret store (a vault, a KMS...). Typing it by the flow's secret names makes a
// forgotten secret a compile error. Values never appear in traces: the runtime hides them.
const vault = new Map(
  Object.entries({ CRM_TOKEN: DEMO_SECRETS.CRM_TOKEN } satisfies Record<OrderStatusSecret, string>),
);
const secrets: SecretProvider = async (name) => vault.get(name);

// The example API stands in for the CRM the flow calls.
const api = await startDemoApi();
// The environment's options, built once and shared by every run: the config (where the CRM is)
// never comes from a run's input, so no caller can send the CRM token elsewhere.
const config: OrderStatusConfig = { api_base: api.url };
try {
  for (const orderId of ["1001", "2002"]) {
    // A missing global, a misspelt one or a number for `order_id` would not compile.
    const input: OrderStatusInput = { caller_id: "+15550100", order_id: orderId };
    const result = await runOrderStatus(input, {
      config,
      secrets,
      // `send` and `route` widgets call these: play the message, transfer the call.
      onSend: (message, ctx) => console.log(`[${ctx.widget}] say: ${message}`),
      onRoute: (queue, ctx) => console.log(`[${ctx.widget}] transfer to queue ${queue}`),
    });

    // The result is typed: `outcome` says how the run ended, `variables` holds the final values.
    const { outcome, variables } = result;
    if (outcome.kind === "failed") {
      console.error(`order ${orderId}: failed at ${outcome.widget}: ${outcome.error.message}`);
      process.exitCode = 1;
      continue;
    }
    const shipDate: string = variables.ship_date;
    const items: number = variables.item_count;
    const ending = outcome.kind === "route" ? `routed to ${outcome.queue}` : `ended at ${outcome.widget}`;
    console.log(
      `order ${orderId}: ${items} item(s), ships ${shipDate}, VIP ${variables.is_vip}; ${ending} after ${result.trace.length} trace events`,
    );
  }
} finally {
  await api.close();
}
