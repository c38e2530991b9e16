/**
 * Child process for the write-lock tests: takes the lock of argv[2] argv[4] times (default once), each
 * time saying "held <n>" and holding it argv[3] ms.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { withWriteLock } from "../../lib/store/write-lock.js";

const [dir, ms, times = "1"] = process.argv.slice(2);
for (let n = 0; n < Number(times); n++) {
  await withWriteLock(dir, async () => {
    process.stdout.write(`held ${n}\n`);
    await sleep(Number(ms));
  });
}
