// ErrorDigest: what the host does with a frame's errors. For the page it groups them by
// kind — the same behaviour failing with the same message, whichever entity — with a count
// per frame (a scriptErrors message). For the terminal it reports each kind once when it
// appears, and again only after it has been absent for `quietMs`: a world that is full, or
// a behaviour that throws for half its entities, is one line, not one line per frame.

import {
  MAX_ERROR_ENTRIES,
  type ScriptErrorEntry,
  type ScriptErrorsMessage,
} from "../protocol/HostMessage.ts";
import type { FrameError } from "./Simulation.ts";

/** Longest error message sent to a page, in characters. */
const MAX_MESSAGE_CHARS = 500;

/** The kind of an error: its behaviour and its message with its own entity's number taken out. */
function kindOf(error: FrameError): string {
  const message =
    error.entity >= 0 ? error.message.split(`entity ${error.entity}`).join("entity *") : error.message;
  return `${error.behaviour}\u0000${message}`;
}

/** Groups a frame's errors into the page's message (most frequent kinds first). */
export function digestFrameErrors(frame: number, errors: readonly FrameError[]): ScriptErrorsMessage {
  const kinds = new Map<string, ScriptErrorEntry>();
  for (const error of errors) {
    const key = kindOf(error);
    const entry = kinds.get(key);
    if (entry !== undefined) entry.count++;
    else
      kinds.set(key, {
        behaviour: error.behaviour,
        entity: error.entity,
        message: error.message.slice(0, MAX_MESSAGE_CHARS),
        count: 1,
      });
  }
  const sorted = [...kinds.values()].sort((a, b) => b.count - a.count).slice(0, MAX_ERROR_ENTRIES);
  return { type: "scriptErrors", frame, total: errors.length, errors: sorted };
}

/** Reports each kind of error to a log once, and again after it has been quiet (see the file comment). */
export class ErrorLog {
  private readonly lastSeen = new Map<string, number>();

  /**
   * @param log where lines go (the host passes console.error)
   * @param quietMs how long a kind must be absent before it is reported again (default 5 s)
   */
  constructor(
    private readonly log: (line: string) => void,
    private readonly quietMs = 5000,
  ) {}

  /** Takes one frame's digest at time `nowMs`; logs the kinds that are new or back. */
  take(digest: ScriptErrorsMessage, nowMs: number): void {
    for (const entry of digest.errors) {
      const key = kindOf(entry);
      const last = this.lastSeen.get(key);
      this.lastSeen.set(key, nowMs);
      if (last !== undefined && nowMs - last < this.quietMs) continue;
      const who = entry.behaviour === "" ? "" : `${entry.behaviour}: `;
      const times = entry.count === 1 ? "" : ` (${entry.count} times in this frame)`;
      this.log(
        `frame ${digest.frame}: ${who}${entry.message}${times}; reported once until it stops for ${this.quietMs / 1000} s`,
      );
    }
    if (this.lastSeen.size > 4 * MAX_ERROR_ENTRIES) {
      for (const [key, at] of this.lastSeen) if (nowMs - at >= this.quietMs) this.lastSeen.delete(key);
    }
  }
}
