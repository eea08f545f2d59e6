// scripting/column.ts — numeric columns: typed arrays over blocks of Proto's
// mutability table (zero copy). The only memory JS may write directly; Proto
// never reads it as references (invariant 6). A column's block stays allocated
// while any view of it (in any environment) is alive.
import { addon, describe } from "./object.ts";

/** Element types of a numeric column. */
export type ColumnType = "f64" | "f32" | "i32" | "u32" | "u8";

/** The typed array of each column type. */
export interface ColumnArrays {
  f64: Float64Array;
  f32: Float32Array;
  i32: Int32Array;
  u32: Uint32Array;
  u8: Uint8Array;
}

/** A numeric column: a typed array whose bytes live in Proto's cell table. */
export type Column<T extends ColumnType = ColumnType> = ColumnArrays[T];

const constructors = {
  f64: Float64Array,
  f32: Float32Array,
  i32: Int32Array,
  u32: Uint32Array,
  u8: Uint8Array,
} as const;

/** @internal True for a valid column type name. */
export function isColumnType(type: unknown): type is ColumnType {
  return typeof type === "string" && Object.hasOwn(constructors, type);
}

function view<T extends ColumnType>(type: T, buffer: ArrayBuffer): Column<T> {
  return new constructors[type](buffer) as Column<T>;
}

/** @internal A fresh zeroed column of `length` elements. */
export function newColumn<T extends ColumnType>(type: T, length: number): Column<T> {
  if (!isColumnType(type))
    throw new TypeError(`unknown column type ${JSON.stringify(type)} (use f64, f32, i32, u32 or u8)`);
  if (typeof length !== "number")
    throw new TypeError(`a column length must be a number, got ${describe(length)}`);
  if (!Number.isInteger(length) || length < 1 || length > 2 ** 31)
    throw new RangeError(`a column length must be a whole number in [1, 2^31], got ${length}`);
  return view(type, addon().newColumn(type, length));
}

/** @internal A share token for a column (see Runtime.shareColumn). */
export function shareColumn(column: Column): number {
  if (!ArrayBuffer.isView(column) || column instanceof DataView)
    throw new TypeError(`shareColumn() expects a column (a typed array), got ${describe(column)}`);
  return addon().shareColumn(column.buffer as ArrayBuffer);
}

/** @internal A new view, in this environment, of a shared column. */
export function openColumn(token: number): Column {
  const [buffer, type] = addon().openColumn(token);
  return view(type, buffer);
}
