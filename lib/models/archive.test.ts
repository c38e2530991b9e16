import { execFileSync, spawnSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { compress } from "@bokuweb/zstd-wasm";
import { Header } from "tar";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { tempDir } from "../../test/helpers/temp.js";
import { isSiglaError } from "../errors.js";
import { packArchive, sha256File, unpackArchive } from "./archive.js";
import { loadZstd } from "./archive-streams.js";

const dir = tempDir("sigla-archive-");
const source = join(dir, "source");
/** Contents of the source folder: nested folders, an empty file, a binary file over one zstd frame. */
const contents: Record<string, Buffer> = {
  "meta.json": Buffer.from('{"bits":8}'),
  "empty.txt": Buffer.alloc(0),
  "onnx/model.onnx": randomBytes(300_000),
  "assets/deep/er/tokens.txt": Buffer.from("a\nb\nc\n".repeat(1000)),
};

test.before(async () => {
  await loadZstd();
  for (const [path, bytes] of Object.entries(contents)) {
    mkdirSync(join(source, path, ".."), { recursive: true });
    writeFileSync(join(source, path), bytes);
  }
});

let serial = 0;
/** A fresh folder to unpack into (not created) and a fresh file name beside it. */
function fresh(): { root: string; target: string; file: (name: string) => string } {
  const root = join(dir, `case-${++serial}`);
  mkdirSync(root);
  return { root, target: join(root, "out"), file: (name) => join(root, name) };
}

function sameTree(target: string, expected: Record<string, Buffer>): void {
  for (const [path, bytes] of Object.entries(expected)) {
    assert.ok(readFileSync(join(target, path)).equals(bytes), `${path} differs`);
  }
}

interface RawEntry {
  path: string;
  type?: string;
  body?: Buffer | string;
  /** The size the header declares, when it should not be the body's. */
  size?: number;
  linkpath?: string;
}

/** A tar built header by header (node-tar's `Header`), with `trailing` zero bytes after its end blocks. */
function tarOf(entries: RawEntry[], trailing = 0): Buffer {
  const blocks: Buffer[] = [];
  for (const entry of entries) {
    const body = typeof entry.body === "string" ? Buffer.from(entry.body) : (entry.body ?? Buffer.alloc(0));
    const header = new Header({
      path: entry.path,
      type: (entry.type ?? "File") as "File",
      size: entry.size ?? body.length,
      mode: 0o644,
      mtime: new Date(0),
      linkpath: entry.linkpath,
    });
    const block = Buffer.alloc(512);
    header.encode(block, 0);
    blocks.push(block, body, Buffer.alloc((512 - (body.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024 + trailing));
  return Buffer.concat(blocks);
}

/** zstd of `data` as concatenated frames of `frameBytes` (one frame by default). */
function zstdOf(data: Buffer, frameBytes = data.length): Buffer {
  const frames: Uint8Array[] = [];
  for (let at = 0; at < data.length; at += frameBytes)
    frames.push(compress(data.subarray(at, at + frameBytes), 3));
  return Buffer.concat(frames);
}

/** Unpacking `bytes` fails with `code`, and the folder holds exactly what it held before (no target, no temp). */
async function refused(
  bytes: Buffer,
  code: string,
  options: Parameters<typeof unpackArchive>[2] = {},
): Promise<string> {
  const { root, target, file } = fresh();
  writeFileSync(file("bad.archive"), bytes);
  try {
    await unpackArchive(file("bad.archive"), target, options);
  } catch (error) {
    assert.ok(isSiglaError(error), `untyped error: ${error}`);
    assert.is(error.code, code, error.message);
    assert.equal(readdirSync(root), ["bad.archive"], "something was left behind");
    return error.message;
  }
  throw new Error(`unpack of a ${code} archive succeeded`);
}

test("a folder packs and unpacks byte for byte, gzip and zstd, and packs the same twice", async () => {
  for (const compression of ["gzip", "zstd"] as const) {
    const { root, target, file } = fresh();
    const progress: [number, number][] = [];
    const packed = await packArchive(source, file("a.archive"), {
      compression,
      onProgress: (done, total) => progress.push([done, total]),
    });
    assert.ok(packed.bytes > 0 && packed.bytes < 400_000);
    assert.equal(progress.at(-1)?.[0], progress.at(-1)?.[1]);
    const again = await packArchive(source, file("b.archive"), { compression });
    assert.is(await sha256File(file("b.archive")), await sha256File(file("a.archive")), "not reproducible");
    const unpacked = await unpackArchive(file("a.archive"), target);
    assert.equal(unpacked.files, Object.keys(contents).sort());
    assert.is(
      unpacked.bytes,
      Object.values(contents).reduce((sum, b) => sum + b.length, 0),
    );
    sameTree(target, contents);
    assert.equal(readdirSync(root).sort(), ["a.archive", "b.archive", "out"]);
    assert.is(again.bytes, packed.bytes);
  }
});

test("archives made by the system tar unpack (gzip, and zstd when the zstd CLI exists)", async () => {
  const longName = `${"n".repeat(120)}/${"m".repeat(60)}.txt`; // past 100 bytes: a GNU long-name record
  const extra = { ...contents, [longName]: Buffer.from("long") };
  const { target, file } = fresh();
  mkdirSync(join(source, longName, ".."), { recursive: true });
  writeFileSync(join(source, longName), "long");
  try {
    execFileSync("tar", ["-czf", file("sys.tgz"), "-C", source, "."]);
    await unpackArchive(file("sys.tgz"), target);
    sameTree(target, extra);
    if (spawnSync("zstd", ["--version"]).error) {
      console.log("  (no zstd CLI: the tar --zstd case is skipped)");
      return;
    }
    execFileSync("tar", ["--zstd", "-cf", file("sys.tar.zst"), "-C", source, "."]);
    await unpackArchive(file("sys.tar.zst"), `${target}-zstd`);
    sameTree(`${target}-zstd`, extra);
    execFileSync("tar", ["-cf", file("sys.tar"), "-C", source, "."]);
    await unpackArchive(file("sys.tar"), `${target}-plain`);
    sameTree(`${target}-plain`, extra);
  } finally {
    execFileSync("rm", ["-rf", join(source, "n".repeat(120))]);
  }
});

test("paths that leave the target are refused, naming the entry", async () => {
  for (const path of ["/tmp/sigla-evil.txt", "../evil.txt", "a/../../evil.txt", "a\\..\\..\\evil.txt"]) {
    const message = await refused(
      gzipSync(
        tarOf([
          { path: "ok.txt", body: "ok" },
          { path, body: "x" },
        ]),
      ),
      "SIGLA_ARCHIVE_UNSAFE",
    );
    assert.ok(message.includes(path), message);
  }
  assert.not.ok(existsSync("/tmp/sigla-evil.txt"));
});

test("links, devices and FIFOs are refused", async () => {
  const cases: RawEntry[] = [
    { path: "passwd", type: "SymbolicLink", linkpath: "/etc/passwd" },
    { path: "hard", type: "Link", linkpath: "ok.txt" },
    { path: "tty", type: "CharacterDevice" },
    { path: "disk", type: "BlockDevice" },
    { path: "pipe", type: "FIFO" },
  ];
  for (const entry of cases) {
    const message = await refused(tarOf([{ path: "ok.txt", body: "ok" }, entry]), "SIGLA_ARCHIVE_UNSAFE");
    assert.ok(message.includes(`"${entry.path}"`) && message.includes(entry.type ?? ""), message);
  }
});

test("a large entry is refused from its header, before it is written (gzip and zstd)", async () => {
  const big = tarOf([
    { path: "small.txt", body: "s" },
    { path: "zeros.bin", body: Buffer.alloc(8 << 20) },
  ]);
  for (const bytes of [gzipSync(big), zstdOf(big, 256 << 10)]) {
    const message = await refused(bytes, "SIGLA_ARCHIVE_TOO_LARGE", { maxBytes: 64 << 10 });
    assert.ok(message.includes("zeros.bin"), message);
  }
  // One zstd frame declaring 8 MiB of content is refused from the frame header alone.
  await refused(zstdOf(big), "SIGLA_ARCHIVE_TOO_LARGE", { maxBytes: 64 << 10 });
});

test("a bomb behind small headers stops on the decompressed count (gzip and zstd)", async () => {
  // A valid one-file tar followed by 32 MiB of zeros: no header is over the bound, the stream is.
  const bomb = tarOf([{ path: "tiny.txt", body: "t" }], 32 << 20);
  for (const bytes of [gzipSync(bomb), zstdOf(bomb, 256 << 10)]) {
    assert.ok(bytes.length < 200_000);
    const message = await refused(bytes, "SIGLA_ARCHIVE_TOO_LARGE", { maxBytes: 64 << 10 });
    assert.match(message, /decompresses past \d+ bytes/);
  }
});

test("more entries than maxFiles are refused", async () => {
  const entries = Array.from({ length: 5 }, (_, i) => ({ path: `f${i}.txt`, body: "x" }));
  await refused(gzipSync(tarOf(entries)), "SIGLA_ARCHIVE_TOO_LARGE", { maxFiles: 3 });
});

test("not an archive, an empty file, damage and truncation are SIGLA_ARCHIVE_INVALID", async () => {
  await refused(Buffer.from("just some text, not a tar\n".repeat(40)), "SIGLA_ARCHIVE_INVALID");
  await refused(Buffer.alloc(0), "SIGLA_ARCHIVE_INVALID");
  await refused(Buffer.concat([Buffer.from([0x1f, 0x8b]), randomBytes(2000)]), "SIGLA_ARCHIVE_INVALID");
  // zstd magic, then a frame header with its reserved bit set; then one with a 1 KiB window and noise.
  const zstdMagic = [0x28, 0xb5, 0x2f, 0xfd];
  await refused(
    Buffer.concat([Buffer.from([...zstdMagic, 0x08, 0x00]), randomBytes(2000)]),
    "SIGLA_ARCHIVE_INVALID",
  );
  await refused(
    Buffer.concat([Buffer.from([...zstdMagic, 0x00, 0x00]), randomBytes(2000)]),
    "SIGLA_ARCHIVE_INVALID",
  );
  const { file } = fresh();
  for (const compression of ["gzip", "zstd"] as const) {
    await packArchive(source, file(compression), { compression });
    const whole = readFileSync(file(compression));
    await refused(whole.subarray(0, Math.floor(whole.length / 2)), "SIGLA_ARCHIVE_INVALID");
  }
  // gzip carries a CRC of the whole tar: any flipped byte is caught (zstd frames here carry none).
  const whole = readFileSync(file("gzip"));
  const flipped = Buffer.from(whole);
  for (let at = 2000; at < 2100; at++) flipped[at] = (flipped[at] ?? 0) ^ 0xff;
  await refused(flipped, "SIGLA_ARCHIVE_INVALID");
  const plain = tarOf([{ path: "a.txt", body: Buffer.alloc(5000, 1) }]);
  await refused(plain.subarray(0, 3000), "SIGLA_ARCHIVE_INVALID");
  // A gzip inside the gzip: node-tar would open the second layer behind the counters.
  await refused(gzipSync(gzipSync(plain)), "SIGLA_ARCHIVE_INVALID");
});

test("duplicate entries and entries that collide are SIGLA_ARCHIVE_INVALID", async () => {
  const twice = await refused(
    tarOf([
      { path: "a.txt", body: "1" },
      { path: "./a.txt", body: "2" },
    ]),
    "SIGLA_ARCHIVE_INVALID",
  );
  assert.ok(twice.includes("appears twice"), twice);
  const under = await refused(
    tarOf([
      { path: "a", body: "file" },
      { path: "a/b.txt", body: "under a file" },
    ]),
    "SIGLA_ARCHIVE_INVALID",
  );
  assert.ok(under.includes('"a/b.txt"'), under);
});

test("an existing target is refused and left as it was", async () => {
  const { target, file } = fresh();
  await packArchive(source, file("a.tgz"), { compression: "gzip" });
  mkdirSync(target);
  writeFileSync(join(target, "mine.txt"), "keep");
  await unpackArchive(file("a.tgz"), target).then(
    () => assert.unreachable("unpacked over an existing folder"),
    (error) => assert.is(error.code, "SIGLA_ARCHIVE_INVALID"),
  );
  assert.equal(readdirSync(target), ["mine.txt"]);
});

test("an abort mid-unpack is CancelledError and leaves nothing", async () => {
  const { root, target, file } = fresh();
  writeFileSync(file("big.tar"), tarOf([{ path: "big.bin", body: randomBytes(48 << 20) }]));
  const controller = new AbortController();
  const unpacking = unpackArchive(file("big.tar"), target, { signal: controller.signal });
  // Abort once the temp folder exists: the unpack is under way.
  while (readdirSync(root).length < 2) await new Promise((resolve) => setTimeout(resolve, 1));
  controller.abort();
  const error = await unpacking.then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.ok(isSiglaError(error) && error.code === "SIGLA_CANCELLED", `${error}`);
  assert.equal(readdirSync(root), ["big.tar"]);
});

test("an abort mid-pack is CancelledError and leaves no output", async () => {
  const { root, file } = fresh();
  const big = join(root, "big");
  mkdirSync(big);
  for (let i = 0; i < 4; i++) writeFileSync(join(big, `part${i}.bin`), randomBytes(2 << 20));
  for (const compression of ["gzip", "zstd"] as const) {
    const controller = new AbortController();
    const error = await packArchive(big, file("out.archive"), {
      compression,
      signal: controller.signal,
      onProgress: () => controller.abort(),
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(isSiglaError(error) && error.code === "SIGLA_CANCELLED", `${error}`);
    assert.equal(readdirSync(root), ["big"]);
  }
});

test("a link in the folder to pack is refused before anything is written", async () => {
  const { root, file } = fresh();
  const linked = join(root, "linked");
  mkdirSync(linked);
  writeFileSync(join(linked, "a.txt"), "a");
  symlinkSync("/etc/passwd", join(linked, "passwd"));
  await packArchive(linked, file("out.tgz"), { compression: "gzip" }).then(
    () => assert.unreachable("packed a link"),
    (error) => assert.is(error.code, "SIGLA_ARCHIVE_UNSAFE"),
  );
  assert.equal(readdirSync(root), ["linked"]);
});

test("sha256File is the sha256 of the bytes", async () => {
  const path = join(source, "onnx/model.onnx");
  assert.is(await sha256File(path), createHash("sha256").update(readFileSync(path)).digest("hex"));
});

test.run();
