// ControlInput: what the page's inputs may send. An entity count is a whole number from 0 to
// the host's capacity (sent in its hello); a GC budget a number of ms in (0, 100]. An empty
// or malformed field is refused with a sentence, never sent as 0. Free of the DOM (tested in Node).

import { MAX_BUDGET_MS } from "../protocol/ControlMessage.ts";

/** A parsed input: the value to send, or why there is none. */
export type InputResult = { ok: true; value: number } | { ok: false; error: string };

/** Reads the entity field against the host's capacity. */
export function parseEntityInput(text: string, capacity: number): InputResult {
  const trimmed = text.trim();
  const n = Number(trimmed);
  if (trimmed === "" || !Number.isInteger(n) || n < 0 || n > capacity)
    return {
      ok: false,
      error: `entities: enter a whole number from 0 to ${capacity} (the host's capacity), got "${text}"`,
    };
  return { ok: true, value: n };
}

/** Reads the GC budget field (ms). */
export function parseBudgetInput(text: string): InputResult {
  const trimmed = text.trim();
  const ms = Number(trimmed);
  if (trimmed === "" || !Number.isFinite(ms) || ms <= 0 || ms > MAX_BUDGET_MS)
    return {
      ok: false,
      error: `GC budget: enter a number of ms above 0 and at most ${MAX_BUDGET_MS}, got "${text}"`,
    };
  return { ok: true, value: ms };
}
