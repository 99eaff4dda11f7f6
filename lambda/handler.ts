// One handler for a function that both Amazon Connect and a function URL (or an HTTP API) invoke: what
// `callflow bundle --target aws-lambda` exports as `index.handler`. The event's shape says which it is.
import type { FlowDefinition, Vars } from "../runtime/node.js";
import {
  connectClashes,
  connectHandler,
  connectOptionProblems,
  type ConnectHandler,
  type ConnectOptions,
  type ConnectResult,
} from "./connect.js";
import { isConnectEvent, isHttpEvent, type HttpResult, type LambdaContext } from "./events.js";
import { httpHandler, type HttpOptions } from "./http.js";

export type FlowHandlerOptions = ConnectOptions & HttpOptions;

export type FlowHandler = (event: unknown, context?: LambdaContext) => Promise<ConnectResult | HttpResult>;

/**
 * A flow whose variables clash with the Connect answer's keys still answers HTTP; a Connect event then fails
 * the invocation with the reason (options that fit no variable are refused at once, as by connectHandler).
 */
export function flowHandler<V extends Vars, S extends string, W extends string>(
  flow: FlowDefinition<V, S, W>,
  options: FlowHandlerOptions = {},
): FlowHandler {
  const problems = connectOptionProblems(flow, options);
  if (problems.length > 0) throw new TypeError(`flowHandler(${flow.id}): ${problems.join("; ")}`);
  const clashes = connectClashes(flow);
  const connect: ConnectHandler =
    clashes.length === 0
      ? connectHandler(flow, options)
      : () => Promise.reject(new TypeError(`callflow: ${flow.id} cannot answer Amazon Connect: ${clashes.join("; ")}`));
  const http = httpHandler(flow, options);
  return async (event, context) => {
    if (isConnectEvent(event)) return connect(event, context);
    if (isHttpEvent(event)) return http(event, context);
    // Lambda reports this as the invocation's error: another trigger was wired to the function.
    throw new TypeError("callflow: not an Amazon Connect event or an HTTP event of payload format 2.0");
  };
}
