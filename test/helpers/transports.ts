// The transports the runtime test suites run over, so they cannot drift: cross-fetch (the
// default), Node's global fetch (decodes bodies itself), and the undici `request` transport.
import { crossFetchTransport, undiciTransport, type FetchLike, type Transport } from "../../runtime/index.js";

export const TRANSPORTS: Array<[string, Transport | FetchLike]> = [
  ["cross-fetch", crossFetchTransport],
  ["global-fetch", globalThis.fetch],
  ["undici", undiciTransport()],
];
