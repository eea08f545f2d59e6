// engine-bridge/Component.ts — component definitions: a name and a schema of numeric
// fields. A definition is plain data, the same in every thread; a BridgeWorld turns it
// into a store (one typed array per field over a Proto numeric column), which is what
// bitECS sees as the component.

import { isColumnType } from "../scripting/column.ts";
import type { ColumnArrays, ColumnType } from "../scripting/index.ts";
import { describe } from "../scripting/object.ts";

/** Element types of a numeric field: the Proto numeric column types. */
export type FieldType = ColumnType;

/** The typed array of each field type (the scripting layer's column arrays). */
export type FieldArrays = ColumnArrays;

/** A component's fields and the type of each. */
export type Schema = Readonly<Record<string, FieldType>>;

/** A component definition (defineComponent). */
export interface ComponentDef<S extends Schema = Schema> {
  /** @internal Brand, so a module's exports can be recognised. */
  readonly __bridge: "component";
  /** Unique within a world; identifies the component across threads. */
  readonly name: string;
  readonly schema: S;
}

/**
 * A component's storage: one typed array per field, indexed by entity id, over a Proto
 * numeric column (zero copy). Pass it to bitECS as the component (addComponent, query…).
 */
export type Store<S extends Schema = Schema> = { readonly [K in keyof S]: FieldArrays[S[K]] };

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** @internal True for a field type name (the column types: one list, scripting/column.ts). */
export function isFieldType(value: unknown): value is FieldType {
  return isColumnType(value);
}

/**
 * @internal The one name rule of the bridge: a component, field, behaviour or parameter
 * name is a JS identifier not starting with `__` (those are Proto's own attributes).
 */
export function isIdentifier(value: unknown): value is string {
  return typeof value === "string" && IDENTIFIER.test(value) && !value.startsWith("__");
}

/** @internal Throws TypeError naming `what` unless `value` follows the name rule (isIdentifier). */
export function checkName(value: unknown, what: string): asserts value is string {
  if (!isIdentifier(value))
    throw new TypeError(
      `${what}: expected an identifier not starting with '__', got ${typeof value === "string" ? JSON.stringify(value) : describe(value)}`,
    );
}

/**
 * Defines a component: `defineComponent("Position", { x: "f32", y: "f32" })`. Field names
 * are identifiers; types are f64, f32, i32, u32 or u8. Every component added to an entity
 * starts zeroed.
 */
export function defineComponent<const S extends Schema>(name: string, schema: S): ComponentDef<S> {
  checkName(name, "defineComponent(name, schema): name");
  if (typeof schema !== "object" || schema === null || Array.isArray(schema))
    throw new TypeError(`component '${name}': the schema must be an object of field types`);
  const fields = Object.entries(schema);
  if (fields.length === 0)
    throw new TypeError(`component '${name}' has no fields (use a bitECS tag {} instead)`);
  for (const [field, type] of fields) {
    if (!isIdentifier(field) || field === "eid")
      throw new TypeError(`component '${name}': field name ${JSON.stringify(field)} is not allowed`);
    if (!isFieldType(type))
      throw new TypeError(
        `component '${name}': field '${field}' has unknown type ${JSON.stringify(type)} (use f64, f32, i32, u32 or u8)`,
      );
  }
  return Object.freeze({ __bridge: "component", name, schema: Object.freeze({ ...schema }) as S });
}

/** @internal True for a ComponentDef. */
export function isComponentDef(value: unknown): value is ComponentDef {
  return (
    typeof value === "object" && value !== null && (value as { __bridge?: unknown }).__bridge === "component"
  );
}
