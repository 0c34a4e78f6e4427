import { type FSWatcher, watch } from "node:fs";
import { stat } from "node:fs/promises";
import { join, sep } from "node:path";
import type { LocalObjectStore } from "../adapters/local/local-object-store.js";
import type { ObjectInfo } from "../ports/object-store.js";

/** What the watcher needs of the stage: its raw bucket and the notification a PUT sends. */
export interface WatchedStage {
  readonly store: LocalObjectStore;
  notify(info: ObjectInfo): void;
}

/**
 * Watches the local raw bucket's folder: a file that appears (or is rewritten) and stops growing
 * gets the S3 notification a PUT would send. Files already there when watching starts are not
 * announced, as S3 would not announce them either; replay them instead.
 *
 * @example
 *   const watcher = await RawWatcher.start(stage, (key) => console.log("new", key));
 *   // … later
 *   watcher.stop();
 */
export class RawWatcher {
  private readonly seen = new Map<string, string>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private watcher: FSWatcher | undefined;

  private constructor(
    private readonly stage: WatchedStage,
    private readonly onFile: (key: string) => void,
    private readonly settleMs: number,
  ) {}

  static async start(
    stage: WatchedStage,
    onFile: (key: string) => void,
    settleMs = 300,
  ): Promise<RawWatcher> {
    const watcher = new RawWatcher(stage, onFile, settleMs);
    for (const object of await stage.store.list("raw", "")) {
      const info = await stat(stage.store.path(object));
      watcher.seen.set(object.key, `${info.mtimeMs}:${info.size}`);
    }
    const root = stage.store.bucketPath("raw");
    watcher.watcher = watch(root, { recursive: true }, (_event, name) => {
      if (name) watcher.schedule(String(name).split(sep).join("/"), join(root, String(name)));
    });
    return watcher;
  }

  private schedule(key: string, path: string, lastSize = -1): void {
    clearTimeout(this.timers.get(key));
    this.timers.set(
      key,
      setTimeout(() => {
        this.timers.delete(key);
        void this.check(key, path, lastSize);
      }, this.settleMs),
    );
  }

  private async check(key: string, path: string, lastSize: number): Promise<void> {
    let info: Awaited<ReturnType<typeof stat>>;
    try {
      info = await stat(path);
    } catch {
      return; // removed, or a temporary file renamed away
    }
    if (!info.isFile()) return;
    if (info.size !== lastSize) {
      this.schedule(key, path, info.size); // still growing: look again
      return;
    }
    const signature = `${info.mtimeMs}:${info.size}`;
    if (this.seen.get(key) === signature) return;
    this.seen.set(key, signature);
    const object = await this.stage.store.head({ bucket: "raw", key });
    if (!object) return;
    this.stage.notify(object);
    this.onFile(key);
  }

  stop(): void {
    this.watcher?.close();
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }
}
