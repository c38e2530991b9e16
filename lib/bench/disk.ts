/** Bytes on disk under a folder (every file, recursively); 0 when it does not exist. */
import { readdir, stat } from "node:fs/promises";
import { join } from "node:path";

export async function folderBytes(path: string): Promise<number> {
  let entries: import("node:fs").Dirent[];
  try {
    entries = await readdir(path, { withFileTypes: true });
  } catch {
    return 0;
  }
  let total = 0;
  for (const entry of entries) {
    const full = join(path, entry.name);
    total += entry.isDirectory() ? await folderBytes(full) : entry.isFile() ? (await stat(full)).size : 0;
  }
  return total;
}
