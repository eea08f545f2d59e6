// ErrorPanel: the page's list of what went wrong in the host — the latest frame's script
// errors (behaviour, entity, message, how many times in that frame) and the notices of
// live reloads ("reloaded …", "reload failed: …"), newest first.

import type { NoticeMessage, ScriptErrorsMessage } from "../protocol/HostMessage.ts";

/** Notices kept on the page. */
const MAX_NOTICES = 6;

/** Fills the #errors and #notices elements of index.html. */
export class ErrorPanel {
  private lastErrorFrame = -1;
  private errorFrames = 0;

  constructor(
    private readonly errors: HTMLElement,
    private readonly notices: HTMLElement,
  ) {}

  /** Shows a frame's errors (replacing the previous frame's). */
  showErrors(message: ScriptErrorsMessage): void {
    this.lastErrorFrame = message.frame;
    this.errorFrames++;
    const rows = message.errors.map((e) => {
      const row = document.createElement("li");
      const who = e.behaviour === "" ? "" : `${e.behaviour}${e.entity >= 0 ? ` (entity ${e.entity})` : ""}: `;
      row.textContent = `${who}${e.message} — ${e.count}× in frame ${message.frame}`;
      return row;
    });
    const title = document.createElement("div");
    title.className = "title";
    title.textContent = `script errors: ${message.total} in frame ${message.frame} (${this.errorFrames} frames with errors)`;
    const list = document.createElement("ul");
    list.append(...rows);
    this.errors.replaceChildren(title, list);
    this.errors.hidden = false;
  }

  /** Adds a notice at the top. */
  addNotice(notice: NoticeMessage): void {
    const row = document.createElement("li");
    row.className = notice.level;
    row.textContent = `${new Date().toLocaleTimeString()} ${notice.text}`;
    this.notices.prepend(row);
    while (this.notices.childElementCount > MAX_NOTICES) this.notices.lastElementChild?.remove();
    this.notices.hidden = false;
  }

  /** Marks the errors shown as old once frames have gone by without any. */
  update(latestFrame: number): void {
    if (this.lastErrorFrame >= 0 && latestFrame - this.lastErrorFrame > 120)
      this.errors.classList.add("stale");
    else this.errors.classList.remove("stale");
  }

  /** Forgets everything (a new run of the host). */
  clear(): void {
    this.lastErrorFrame = -1;
    this.errorFrames = 0;
    this.errors.replaceChildren();
    this.errors.hidden = true;
  }
}
