import { open, readdir, readFile, truncate, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { tempDir } from "../../test/helpers/temp.js";
import { readSnapshot, SNAPSHOT_FILE, type Snapshot, snapshotKey, writeSnapshot } from "./snapshot.js";

function sample(tableVersion = 7): Snapshot {
  return {
    tableVersion,
    rows: 3,
    dim: 4,
    info: { indexKind: "ivf", indexParams: { nprobe: 2 } },
    sections: {
      ids: Int32Array.of(0, 2, 5),
      vectors: Float32Array.from({ length: 12 }, (_, i) => i / 10),
      bytes: new TextEncoder().encode("odd length"),
      counts: Uint32Array.of(1, 2, 3),
    },
  };
}

const key = { tableVersion: 7, rows: 3, dim: 4 };

async function flipByte(file: string, position: number): Promise<void> {
  const fh = await open(file, "r+");
  const byte = Buffer.alloc(1);
  await fh.read(byte, 0, 1, position);
  byte[0] ^= 0xff;
  await fh.write(byte, 0, 1, position);
  await fh.close();
}

test("a snapshot reads back section by section, typed as written", async () => {
  const dir = tempDir();
  await writeSnapshot(dir, sample());
  const read = await readSnapshot(dir, key);
  assert.is(read.status, "ok");
  if (read.status !== "ok") return;
  const { snapshot } = read;
  assert.equal(snapshot.info, sample().info);
  for (const [name, array] of Object.entries(sample().sections)) {
    assert.is(snapshot.sections[name].constructor, array.constructor, name);
    assert.equal(Array.from(snapshot.sections[name]), Array.from(array), name);
  }
  assert.equal(await snapshotKey(dir), key);
  // Written through a temporary file that does not stay behind.
  assert.equal(await readdir(dir), [SNAPSHOT_FILE]);
});

test("temporary files of writers that died are removed by the next write", async () => {
  const dir = tempDir();
  const orphan = `${SNAPSHOT_FILE}.999999.0.tmp`;
  const ours = `${SNAPSHOT_FILE}.${process.pid}.999.tmp`;
  await writeFile(join(dir, orphan), "half a snapshot");
  await writeFile(join(dir, ours), "a write of this process in flight");
  await writeSnapshot(dir, sample());
  assert.equal((await readdir(dir)).sort(), [SNAPSHOT_FILE, ours].sort());
});

test("a snapshot of another table version, row count or dimension is stale", async () => {
  const dir = tempDir();
  await writeSnapshot(dir, sample());
  for (const expect of [
    { ...key, tableVersion: 8 },
    { ...key, tableVersion: 6 },
    { ...key, rows: 4 },
    { ...key, dim: 8 },
  ]) {
    const read = await readSnapshot(dir, expect);
    assert.is(read.status, "stale", JSON.stringify(expect));
    assert.not.ok("snapshot" in read);
  }
});

test("missing, truncated, altered or foreign files are never served", async () => {
  const dir = tempDir();
  const file = join(dir, SNAPSHOT_FILE);
  assert.is((await readSnapshot(dir, key)).status, "missing");
  assert.is(await snapshotKey(dir), undefined);

  await writeSnapshot(dir, sample());
  const whole = await readFile(file);
  // Any byte of the payload changed: the checksum no longer matches.
  await flipByte(file, whole.length - 10);
  assert.equal(await readSnapshot(dir, key), { status: "damaged", reason: "checksum mismatch" });
  // So does a changed value in the header (here a digit of the index parameters).
  await writeFile(file, Buffer.from(whole.toString("latin1").replace('"nprobe":2', '"nprobe":3'), "latin1"));
  assert.equal(await readSnapshot(dir, key), { status: "damaged", reason: "checksum mismatch" });

  await writeFile(file, whole);
  await truncate(file, whole.length - 8);
  assert.is((await readSnapshot(dir, key)).status, "damaged");

  await writeFile(file, whole.subarray(0, 20));
  assert.is((await readSnapshot(dir, key)).status, "damaged");

  await writeFile(file, "not a snapshot at all");
  assert.is((await readSnapshot(dir, key)).status, "damaged");
  assert.is(await snapshotKey(dir), undefined);

  // A longer file than the header describes is damaged too.
  await writeFile(file, Buffer.concat([whole, Buffer.alloc(8)]));
  assert.is((await readSnapshot(dir, key)).status, "damaged");

  await writeFile(file, whole);
  assert.is((await readSnapshot(dir, key)).status, "ok");
});

test.run();
