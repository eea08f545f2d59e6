// ProtocolError: the one error type the demo wire protocol throws for malformed input, so a
// host or client can drop a bad message (and say why) without crashing.

/** A message that is truncated, garbage, of an unsupported version or semantically invalid. */
export class ProtocolError extends Error {
  /** Creates the error; `message` says what was wrong and, where known, at which byte. */
  constructor(message: string) {
    super(message);
    this.name = "ProtocolError";
  }
}
