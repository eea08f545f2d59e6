// JsonFields: the checked reading of a JSON text message's fields, shared by the client's
// and the host's parsers (ControlMessage.ts, HostMessage.ts). A WebSocket peer can send
// anything, so every field is checked and a missing one reads as undefined even when
// Object.prototype was polluted elsewhere.

import { ProtocolError } from "./ProtocolError.ts";

/** A message's own fields in an object with no prototype. */
export type Fields = Record<string, unknown>;

/** The object's own enumerable fields in an object with no prototype. */
export function ownFields(value: object): Fields {
  const own: Fields = Object.create(null);
  for (const key of Object.keys(value)) own[key] = (value as Fields)[key];
  return own;
}

/** Parses `text` as a JSON object; `who` ("client", "host") names the sender in errors. */
export function parseObject(text: string, who: string): Fields {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ProtocolError(`${who} message is not JSON: ${JSON.stringify(text.slice(0, 80))}`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new ProtocolError(`${who} message must be a JSON object`);
  }
  return ownFields(value);
}

/** The finite number in `obj[key]`; `type` names the message in the error. */
export function finite(obj: Fields, key: string, type: string): number {
  const value = obj[key];
  if (typeof value !== "number" || !Number.isFinite(value)) {
    throw new ProtocolError(`${type}: "${key}" must be a finite number, got ${JSON.stringify(value)}`);
  }
  return value;
}

/** The whole number in `obj[key]`, in [min, max]. */
export function integer(obj: Fields, key: string, type: string, min: number, max: number): number {
  const value = finite(obj, key, type);
  if (!Number.isInteger(value) || value < min || value > max)
    throw new ProtocolError(`${type}: "${key}" must be an integer in [${min}, ${max}], got ${value}`);
  return value;
}

/** The string in `obj[key]`, at most `maxLength` characters. */
export function text(obj: Fields, key: string, type: string, maxLength = 4096): string {
  const value = obj[key];
  if (typeof value !== "string") throw new ProtocolError(`${type}: "${key}" must be a string`);
  if (value.length > maxLength)
    throw new ProtocolError(`${type}: "${key}" must be at most ${maxLength} characters, got ${value.length}`);
  return value;
}

/** The object in `obj[key]`, as own fields. */
export function object(obj: Fields, key: string, type: string): Fields {
  const value = obj[key];
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw new ProtocolError(`${type}: "${key}" must be an object`);
  return ownFields(value);
}
