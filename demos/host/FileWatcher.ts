// FileWatcher: calls back when a file changes, however the editor saves it. It watches the
// file's folder, not the file, and matches the file's name: an editor that saves by
// writing a new file and renaming it over the old one (vim, `sed -i`, JetBrains' safe
// write) replaces the inode that a watch on the file itself would keep following, so such
// a watch goes deaf after the first save; a watch on the folder sees every rename into it.
// Events come in bursts (a rename-save is several), so they are debounced.

import { type FSWatcher, watch } from "node:fs";
import { basename, dirname } from "node:path";

/** A running watch; close() stops it. */
export interface FileWatch {
  close(): void;
}

/**
 * Calls `onChange` once per burst of changes to `file` (events within `debounceMs` of each
 * other, default 50 ms). Events whose name the platform does not report count too: they
 * may be the file's. Throws when the folder cannot be watched (it does not exist).
 */
export function watchFile(file: string, onChange: () => void, debounceMs = 50): FileWatch {
  const name = basename(file);
  let timer: NodeJS.Timeout | undefined;
  const watcher: FSWatcher = watch(dirname(file), (_event, changed) => {
    if (changed !== null && changed !== name) return;
    clearTimeout(timer);
    timer = setTimeout(onChange, debounceMs);
  });
  watcher.unref();
  // A watcher error (the folder removed) ends the watch instead of crashing the process.
  watcher.on("error", () => watcher.close());
  return {
    close() {
      clearTimeout(timer);
      watcher.close();
    },
  };
}
