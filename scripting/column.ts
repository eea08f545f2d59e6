// scripting/column.ts — numeric columns: typed arrays over blocks of Proto's
// mutability table (zero copy). The only memory JS may write directly; Proto
// never reads it as references (invariant 6). A column's block stays allocated
// while any view of it (in any environment) is alive.
import { constants as bufferConstants } from "node:buffer";
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

/** Bytes per element of each column type. */
const ELEMENT_BYTES: Readonly<Record<ColumnType, number>> = { f64: 8, f32: 4, i32: 4, u32: 4, u8: 1 };

/** Proto's own limit on a numeric block, in elements. */
const MAX_ELEMENTS = 2 ** 31;

/**
 * The largest ArrayBuffer over external memory this Node makes, in bytes: a column's
 * buffer is one (2^32 on 64-bit Node 20 and 21, 2^53 - 1 from Node 22 on).
 */
const MAX_BUFFER_BYTES = bufferConstants.MAX_LENGTH;

/** @internal The longest column of `type` this platform can make. */
export function maxColumnLength(type: ColumnType): number {
  return Math.min(MAX_ELEMENTS, Math.floor(MAX_BUFFER_BYTES / ELEMENT_BYTES[type]));
}

/** @internal A fresh zeroed column of `length` elements. */
export function newColumn<T extends ColumnType>(type: T, length: number): Column<T> {
  if (!isColumnType(type))
    throw new TypeError(
      `column(type, length): unknown column type ${describe(type)}; expected "f64", "f32", "i32", "u32" or "u8"`,
    );
  if (typeof length !== "number")
    throw new TypeError(`column(type, length): expected length to be a number, got ${describe(length)}`);
  const max = maxColumnLength(type);
  if (!Number.isInteger(length) || length < 1 || length > max) {
    const why =
      Number.isInteger(length) && length > max && max < MAX_ELEMENTS
        ? ` (${ELEMENT_BYTES[type]} bytes each; the largest ArrayBuffer this platform allows is ${MAX_BUFFER_BYTES} bytes)`
        : "";
    throw new RangeError(
      `column(type, length): expected length to be a whole number in [1, ${max}] for a ${type} column${why}, got ${length}`,
    );
  }
  return view(type, addon().cells.newColumn(type, length));
}

/** @internal A share token for a column (see Runtime.shareColumn). */
export function shareColumn(column: Column): number {
  if (!ArrayBuffer.isView(column) || column instanceof DataView)
    throw new TypeError(`shareColumn(column): expected a column (a typed array), got ${describe(column)}`);
  return addon().cells.shareColumn(column.buffer as ArrayBuffer);
}

/** @internal A new view, in this environment, of a shared column. */
export function openColumn(token: number): Column {
  const [buffer, type] = addon().cells.openColumn(token);
  return view(type, buffer);
}
