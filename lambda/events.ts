// The shapes of the AWS events the handlers answer, as AWS documents them (test/fixtures/aws holds one of
// each, copied from the documentation). Only the fields read here are typed; AWS adds fields over time.

/** What Lambda passes as the second argument: only the time left is read. */
export interface LambdaContext {
  /** Milliseconds until Lambda stops the invocation. */
  getRemainingTimeInMillis(): number;
}

/** Amazon Connect's `InvokeLambdaFunction` block (Lambda Developer Guide, "Using Lambda with Amazon Connect"). */
export interface ConnectEvent {
  readonly Name: "ContactFlowEvent";
  readonly Details: {
    readonly ContactData: {
      readonly Attributes?: Readonly<Record<string, string>> | null;
      readonly CustomerEndpoint?: { readonly Address?: string | null; readonly Type?: string } | null;
      readonly [field: string]: unknown;
    };
    /** The block's parameters: strings, whatever the value looked like in the flow designer. */
    readonly Parameters?: Readonly<Record<string, unknown>> | null;
  };
}

/** A function URL or API Gateway HTTP API request (payload format 2.0). */
export interface HttpEvent {
  readonly version: "2.0";
  readonly rawPath: string;
  /** Lower-case names; repeated headers joined with commas. */
  readonly headers?: Readonly<Record<string, string | undefined>> | null;
  readonly requestContext: { readonly http: { readonly method: string; readonly path?: string } };
  readonly body?: string | null;
  readonly isBase64Encoded?: boolean;
}

/** The answer to an HttpEvent (payload format 2.0 with an explicit status). */
export interface HttpResult {
  readonly statusCode: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  readonly isBase64Encoded: false;
}

function isObject(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function isConnectEvent(event: unknown): event is ConnectEvent {
  return isObject(event) && isObject(event["Details"]) && isObject(event["Details"]["ContactData"]);
}

export function isHttpEvent(event: unknown): event is HttpEvent {
  return (
    isObject(event) &&
    event["version"] === "2.0" &&
    typeof event["rawPath"] === "string" &&
    isObject(event["requestContext"]) &&
    isObject(event["requestContext"]["http"])
  );
}
