// scripting/temps.ts — frame temporaries: the short-lived data a script makes every frame
// (a vector, an event record, a label such as "hp: 37"), made in Proto's heap and held
// through integer handles, so that V8 never sees them as objects.
//
// Written the ordinary way — `{ x, y }`, `{ kind, from, amount }`, `` `hp: ${hp}` `` — each
// is a JS object or string: V8's young generation fills with them, a scavenge in the
// middle of a frame copies the live ones and promotes what survives twice, and the old
// generation grows towards a major GC. Written with FrameTemps, the same data lives in
// Proto's heap, which its concurrent collector sweeps, and V8 sees a number:
//
//   const temps = frameTemps();
//   const VEC = temps.shape("x", "y");          // once
//   temps.io[0] = ax; temps.io[1] = ay;         // numbers go in through `io`...
//   const v = temps.record(VEC);                // ...a handle comes back (a small integer)
//   temps.read(v);                              // ...and numbers come out through `io`
//   drive(self, temps.io[0], temps.io[1]);
//
// Every temporary ends with the frame that made it (Runtime.update and FrameDriver.step
// close frames; a pool worker ends its own at the start of each round): its handle is
// then refused, and Proto's collector frees it. keep(handle) holds a record longer, as a
// share token.
//
// Numbers travel through `io` (a Float64Array) because a double passed to or returned from
// a call into the addon is boxed on V8's heap; a typed array holds it unboxed.
import { loadAddon } from "./native.ts";

/** Frame temporaries of this JS environment (see the file comment). */
export class FrameTemps {
  /** Numbers in and out: a record's fields before record(), after read(); a label's number. */
  readonly io = new Float64Array(8);
  readonly #texts = new Map<string, number>();

  /** @internal Use frameTemps(). */
  constructor() {
    loadAddon().temps.io(this.io);
  }

  /** A record shape: 1 to 8 numeric field names. Returns its id (make it once, not per frame). */
  shape(...names: string[]): number {
    return loadAddon().temps.shape(names);
  }

  /** A record of `shape`, its fields from io[0..fields). Returns its handle, valid until the frame ends. */
  record(shape: number): number {
    return loadAddon().temps.record(shape);
  }

  /** A two-field record (shape made with shape("x", "y")) from x and y. */
  vector(shape: number, x: number, y: number): number {
    const io = this.io;
    io[0] = x;
    io[1] = y;
    return loadAddon().temps.record(shape);
  }

  /** Writes a record's fields into io[0..fields); returns how many. */
  read(handle: number): number {
    return loadAddon().temps.read(handle);
  }

  /** The id of a piece of text labels start with (interned on first use). */
  text(text: string): number {
    let id = this.#texts.get(text);
    if (id === undefined) {
      id = loadAddon().temps.text(text);
      this.#texts.set(text, id);
    }
    return id;
  }

  /** A Proto string: the text `text` (an id from text()), then `value` as JavaScript prints it. */
  label(text: number, value: number): number {
    this.io[0] = value;
    return loadAddon().temps.label(text);
  }

  /** A label's length in code points. */
  length(handle: number): number {
    return loadAddon().temps.length(handle);
  }

  /** Keeps a record after its frame: a share token (Runtime.open(token) reads it; unshare drops it). */
  keep(handle: number): number {
    return loadAddon().temps.keep(handle);
  }

  /** Temporaries made since the frame began. */
  get count(): number {
    return loadAddon().temps.count();
  }
}

let temps: FrameTemps | undefined;

/** This environment's frame temporaries (one per thread: main thread or worker). */
export function frameTemps(): FrameTemps {
  temps ??= new FrameTemps();
  return temps;
}
