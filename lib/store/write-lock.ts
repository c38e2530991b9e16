/**
 * An exclusive, cross-process write lock on a store folder: a `.lock` file created with O_EXCL that holds
 * the owner's pid. A lock whose process is gone is stale and taken over. Held only while writing, so many
 * processes may open one store; writes from each are serialised and never interleave.
 */
import { open, readFile, unlink } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { StoreError } from "../errors.js";

const LOCK_FILE = ".lock";

/** Is there a process with this id (one we may not signal counts as alive)? */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Runs `work` holding the store's write lock; waits up to `timeoutMs` for another writer to finish. */
export async function withWriteLock<T>(dir: string, work: () => Promise<T>, timeoutMs = 30_000): Promise<T> {
  const file = join(dir, LOCK_FILE);
  const deadline = Date.now() + timeoutMs;
  for (let wait = 5; ; wait = Math.min(wait * 2, 200)) {
    try {
      const handle = await open(file, "wx");
      await handle.writeFile(String(process.pid));
      await handle.close();
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") {
        throw new StoreError("SIGLA_STORE_PATH", `cannot create the write lock ${file}`, { cause: error });
      }
      const owner = Number.parseInt(await readFile(file, "utf8").catch(() => ""), 10);
      if (Number.isInteger(owner) && owner !== process.pid && !alive(owner)) {
        await unlink(file).catch(() => undefined);
        continue;
      }
      if (Date.now() > deadline) {
        throw new StoreError(
          "SIGLA_STORE_LOCKED",
          `the store ${dir} is being written by process ${owner || "unknown"}; gave up after ${timeoutMs} ms`,
        );
      }
      await sleep(wait);
    }
  }
  try {
    return await work();
  } finally {
    await unlink(file).catch(() => undefined);
  }
}
