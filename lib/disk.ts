/** Bytes on disk under a folder (every file, recursively); 0 when it does not exist. */
import { readdir, stat } from "node:fs/promises";
import { join } from "node:path";

export async function folderBytes(path: string): Promise<number> {
  const entries = await readdir(path, { withFileTypes: true, recursive: true }).catch(() => []);
  let total = 0;
  for (const entry of entries) {
    if (entry.isFile()) total += (await stat(join(entry.parentPath, entry.name))).size;
  }
  return total;
}
