/**
 * The cross-process write lock of a store folder, with first-come-first-served waiting.
 *
 * Mutual exclusion is an OS advisory lock (`flock`, through fs-ext) on `<store>/.lock`. The kernel drops it
 * when its holder exits or is killed, so there is no stale lock to detect, guess about or take over: the
 * file's contents (a dead pid, garbage, nothing) never matter, and it is never deleted (deleting a flock
 * file lets two processes lock two different inodes).
 *
 * Fairness: a writer that finds the lock busy takes a ticket, a file in `<store>/.lock-queue/` named by
 * time, which it holds flocked while it waits; it tries the lock only when no live ticket is older than
 * its own. A ticket whose file can be flocked by someone else belongs to a dead process and is removed.
 * Within one process, writers to one folder queue on a promise chain first.
 *
 * Waiting fails with `SIGLA_STORE_LOCKED` only when the queue makes no progress for `timeoutMs` (the
 * holder and the writers ahead stay the same), never merely because the queue is long.
 */
import { closeSync, constants, openSync, readSync, renameSync, writeSync } from "node:fs";
import { mkdir, readdir, stat, unlink } from "node:fs/promises";
import { hostname } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { flockSync } from "fs-ext-extra-prebuilt";
import { CancelledError, StoreError } from "../errors.js";

export const LOCK_FILE = ".lock";
export const QUEUE_DIR = ".lock-queue";
/** How often a waiter looks at the queue and the lock. */
const POLL_MS = 10;
/** Long enough for the longest work done under the lock (a save or compaction of a large store). */
const DEFAULT_TIMEOUT_MS = 120_000;
/** A ticket file not yet renamed into place this long after its creation is a dead writer's. */
const STRAY_TICKET_MS = 10_000;

/** Is there a process with this id (one we may not signal counts as alive)? */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Tries to flock `fd` exclusively without waiting. */
function tryLock(fd: number): boolean {
  try {
    flockSync(fd, "exnb");
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "EAGAIN" || code === "EWOULDBLOCK") return false;
    throw error;
  }
}

/** Opens (creating) a file to flock; a directory in its place (an old, killed writer's) is flocked as is. */
function openLockFile(path: string): number {
  try {
    return openSync(path, constants.O_RDWR | constants.O_CREAT, 0o644);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EISDIR") return openSync(path, constants.O_RDONLY);
    throw new StoreError("SIGLA_STORE_PATH", `cannot open the write lock ${path}`, { cause: error });
  }
}

/** Who holds the lock, as its holder wrote it (`pid host since`); diagnostics only. */
function holderOf(fd: number): string {
  try {
    const buffer = Buffer.alloc(200);
    return buffer
      .subarray(0, readSync(fd, buffer, 0, buffer.length, 0))
      .toString()
      .trim();
  } catch {
    return "";
  }
}

function describeHolder(line: string): string {
  const [pid, host, since] = line.split(" ");
  if (!pid) return "another writer";
  return `process ${pid}${host && host !== hostname() ? ` on ${host}` : ""}${since ? ` (since ${since})` : ""}`;
}

/** A waiter's place in the queue: a flocked file, so others can tell it is alive. */
class Ticket {
  private constructor(
    readonly name: string,
    private readonly path: string,
    private readonly fd: number,
  ) {}

  /** Creates the ticket already flocked (under a temporary name, then renamed), so a visible ticket is live. */
  static async take(queue: string): Promise<Ticket> {
    await mkdir(queue, { recursive: true });
    const stamp = Date.now().toString().padStart(15, "0");
    const name = `${stamp}-${process.pid.toString().padStart(8, "0")}-${Math.random().toString(36).slice(2, 10)}`;
    const temp = join(queue, `.${name}`);
    const fd = openSync(temp, constants.O_RDWR | constants.O_CREAT, 0o644);
    try {
      // Nobody else knows this file yet, so the lock is free; never wait for it.
      if (!tryLock(fd)) throw new StoreError("SIGLA_STORE_LOCKED", `cannot lock the new ticket ${temp}`);
      renameSync(temp, join(queue, name));
    } catch (error) {
      closeSync(fd);
      await unlink(temp).catch(() => undefined);
      throw error;
    }
    return new Ticket(name, join(queue, name), fd);
  }

  async drop(): Promise<void> {
    await unlink(this.path).catch(() => undefined);
    closeSync(this.fd);
  }
}

/** Is the ticket file at `path` still held by a live waiter? Removes it when its owner is gone. */
async function liveTicket(path: string): Promise<boolean> {
  let fd: number;
  try {
    // Non-blocking: whatever sits in the queue folder (a FIFO, say) must never stall a waiter.
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch {
    return false;
  }
  try {
    if (!tryLock(fd)) return true;
    await unlink(path).catch(() => undefined);
    return false;
  } finally {
    closeSync(fd);
  }
}

/** How many live tickets are older than `mine` (dead ones, and stray temporary files, are cleared). */
async function ahead(queue: string, mine: string): Promise<number> {
  const names = (await readdir(queue).catch(() => [] as string[])).sort();
  let count = 0;
  for (const name of names) {
    if (name.startsWith(".")) {
      // A ticket still being created, or (once old) one whose creator died before renaming it.
      const path = join(queue, name);
      const age = Date.now() - ((await stat(path).catch(() => undefined))?.mtimeMs ?? Date.now());
      if (age > STRAY_TICKET_MS) await liveTicket(path);
      continue;
    }
    if (name >= mine) break;
    if (await liveTicket(join(queue, name))) count++;
  }
  return count;
}

/** Writers of this process, per folder, queue here before they queue with other processes. */
const localTails = new Map<string, Promise<void>>();

async function inProcessTurn(dir: string, signal?: AbortSignal): Promise<() => void> {
  const previous = localTails.get(dir) ?? Promise.resolve();
  let release = () => {};
  const mine = new Promise<void>((resolve) => {
    release = resolve;
  });
  const tail = previous.then(() => mine);
  localTails.set(dir, tail);
  const done = () => {
    if (localTails.get(dir) === tail) localTails.delete(dir);
    release();
  };
  if (signal) {
    // Stops waiting when the signal fires; the place in the chain passes on once its turn comes.
    let onAbort = () => {};
    const aborted = new Promise<never>((_, reject) => {
      onAbort = () => reject(new CancelledError("waiting for the write lock"));
      if (signal.aborted) onAbort();
      else signal.addEventListener("abort", onAbort, { once: true });
    });
    try {
      await Promise.race([previous, aborted]);
    } catch (error) {
      void previous.then(done);
      throw error;
    } finally {
      signal.removeEventListener("abort", onAbort);
    }
    return done;
  }
  await previous;
  return done;
}

/**
 * Runs `work` after every earlier writer (and reader that must not see a half-applied write) of this
 * process on `dir` is done, without the cross-process lock: for in-memory state that commits change.
 */
export async function withLocalTurn<T>(dir: string, work: () => Promise<T>): Promise<T> {
  const release = await inProcessTurn(dir);
  try {
    return await work();
  } finally {
    release();
  }
}

export interface WriteLockOptions {
  /** Give up when the queue has not moved for this long (ms, default 120 s). */
  timeoutMs?: number;
  /** Stops waiting (not the work once started). */
  signal?: AbortSignal;
}

/** Takes the flock on `.lock`, waiting in turn; returns its descriptor. */
async function acquire(dir: string, options: WriteLockOptions): Promise<number> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const lockPath = join(dir, LOCK_FILE);
  const queue = join(dir, QUEUE_DIR);
  const fd = openLockFile(lockPath);
  try {
    // No one queued: try at once, without a ticket.
    const queued = (await readdir(queue).catch(() => [])).some((name) => !name.startsWith("."));
    if (!queued && tryLock(fd)) return fd;
    const ticket = await Ticket.take(queue);
    try {
      let progress = { ahead: Number.POSITIVE_INFINITY, holder: "" };
      let deadline = Date.now() + timeoutMs;
      for (;;) {
        if (options.signal?.aborted) throw new CancelledError("waiting for the write lock");
        const before = await ahead(queue, ticket.name);
        if (before === 0 && tryLock(fd)) return fd;
        const holder = holderOf(fd);
        if (before < progress.ahead || holder !== progress.holder) {
          progress = { ahead: before, holder };
          deadline = Date.now() + timeoutMs;
        } else if (Date.now() > deadline) {
          throw new StoreError(
            "SIGLA_STORE_LOCKED",
            `the store ${dir} is being written by ${describeHolder(holder)}${before ? ` with ${before} writers queued ahead` : ""}; nothing moved for ${timeoutMs} ms, so this write gave up (nothing of it was written)`,
          );
        }
        await sleep(POLL_MS);
      }
    } finally {
      await ticket.drop();
    }
  } catch (error) {
    closeSync(fd);
    throw error;
  }
}

/**
 * Runs `work` holding the store's write lock. Writers from every process run one at a time, in the order
 * they asked; the lock is released when `work` settles, or by the kernel if this process dies.
 */
export async function withWriteLock<T>(
  dir: string,
  work: () => Promise<T>,
  options: WriteLockOptions = {},
): Promise<T> {
  const releaseLocal = await inProcessTurn(dir, options.signal);
  try {
    const fd = await acquire(dir, options);
    try {
      writeSync(fd, `${process.pid} ${hostname()} ${new Date().toISOString()}`.padEnd(120), 0);
    } catch {
      // A directory in place of the file, or a read-only folder: the note is only for messages.
    }
    try {
      return await work();
    } finally {
      try {
        flockSync(fd, "un");
      } finally {
        closeSync(fd);
      }
    }
  } finally {
    releaseLocal();
  }
}
