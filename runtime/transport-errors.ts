// What a failed request is called in traces. Transport errors are never shown as they are:
// their text quotes the URL as the transport re-encoded and normalised it (node-fetch's
// "request to http://… failed"), where the runtime can no longer tell secret parts from the
// rest. Only the error's code is read, one of a fixed set of constants, never a value.

/** The Node, undici or node-fetch code of an error or of its cause (undici puts the reason there). */
function codeOf(error: unknown): string | undefined {
  for (let current = error, depth = 0; current instanceof Error && depth < 4; current = current.cause, depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string" && /^[A-Z][A-Z0-9_]{1,63}$/.test(code)) return code;
    if (current.message === "Premature close") return "ERR_STREAM_PREMATURE_CLOSE";
  }
  return undefined;
}

const MESSAGES: Readonly<Record<string, string>> = {
  ECONNREFUSED: "connection refused",
  ECONNRESET: "connection reset by the server",
  EPIPE: "connection closed by the server while sending the request",
  ENOTFOUND: "host name not found",
  EAI_AGAIN: "host name lookup failed (temporary DNS failure)",
  EHOSTUNREACH: "host unreachable",
  ENETUNREACH: "network unreachable",
  ETIMEDOUT: "connection timed out",
  UND_ERR_CONNECT_TIMEOUT: "connection timed out",
  UND_ERR_SOCKET: "connection closed before the response was complete",
  UND_ERR_CLOSED: "connection closed before the response was complete",
  ERR_STREAM_PREMATURE_CLOSE: "connection closed before the response was complete",
  HPE_INVALID_CONSTANT: "invalid HTTP response",
  Z_DATA_ERROR: "the response body could not be decoded (corrupt compressed data)",
  Z_BUF_ERROR: "the response body could not be decoded (corrupt compressed data)",
};

/** The runtime's own message for a transport error: what went wrong, with the error's code. */
export function transportErrorMessage(error: unknown): string {
  const code = codeOf(error);
  if (code === undefined) return "request failed";
  const known = MESSAGES[code];
  if (known !== undefined) return `${known} (${code})`;
  if (code.startsWith("HPE_")) return `invalid HTTP response (${code})`;
  if (code.startsWith("ERR_BROTLI") || code.startsWith("ERR__"))
    return `the response body could not be decoded (${code})`;
  if (/CERT|TLS|SSL/.test(code)) return `TLS failed (${code})`;
  return `request failed (${code})`;
}
