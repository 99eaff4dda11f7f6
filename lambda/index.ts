// `callflow/aws-lambda`: flows as AWS Lambda handlers (docs/aws-lambda.md).
export {
  connectHandler,
  connectClashes,
  connectOptionProblems,
  CONNECT_KEYS,
  type ConnectHandler,
  type ConnectOptions,
  type ConnectResult,
} from "./connect.js";
export { httpHandler, type HttpHandler, type HttpOptions } from "./http.js";
export { flowHandler, type FlowHandler, type FlowHandlerOptions } from "./handler.js";
export { secretsManagerSecrets, secretsOnce, sourcedSecrets } from "./secrets.js";
export { LAMBDA_DEFAULTS, type LambdaOptions } from "./invoke.js";
export type { ConnectEvent, HttpEvent, HttpResult, LambdaContext } from "./events.js";
export { envSecrets, staticSecrets, type SecretProvider } from "../runtime/node.js";
