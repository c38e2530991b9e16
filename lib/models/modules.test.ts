/**
 * Modules end to end on real files: converter-mod writes `.capsulemod` archives, the registry verifies and
 * keeps them across reopening and across two registries on one folder, the router picks by words, intent
 * and capability, and the loader attaches within its budget.
 */
import { mkdtemp, readFile, rm, stat, truncate, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { codeOf } from "../../test/helpers/errors.js";
import { createEmbedder } from "../embed/create-embedder.js";
import type { Embedder } from "../embed/embedder.js";
import { Pipeline } from "../pipeline/pipeline.js";
import { seededRandom } from "../random.js";
import { CapsuleStore } from "../store/capsule-store.js";
import { convertModule } from "./convert-module.js";
import { ModuleLoader } from "./loader.js";
import { LocalModuleRegistry } from "./registry.js";
import { ModuleRouter } from "./router.js";
import { encodeSafetensors } from "./safetensors.js";

let work: string;
let embedder: Embedder;

/** A state dict of `rows`×64 float32 weights. */
async function stateDict(name: string, rows: number, seed: number): Promise<string> {
  const random = seededRandom(seed);
  const values = Float32Array.from({ length: rows * 64 }, () => random() - 0.5);
  const path = join(work, `${name}.safetensors`);
  await writeFile(
    path,
    encodeSafetensors([
      { name: "head.weight", dtype: "F32", shape: [rows, 64], data: new Uint8Array(values.buffer) },
    ]),
  );
  return path;
}

async function makeModule(
  id: string,
  skills: string[],
  options: { rows?: number; description?: string; dependsOn?: string[]; device?: "cuda" } = {},
): Promise<string> {
  const out = join(work, `${id}.capsulemod`);
  await convertModule(await stateDict(id, options.rows ?? 16, id.length), out, {
    type: "state",
    skills,
    dtype: "int8",
    description: options.description,
    dependsOn: options.dependsOn,
    device: options.device,
    embedder,
  });
  return out;
}

test.before(async () => {
  work = await mkdtemp(join(tmpdir(), "sigla-modules-"));
  embedder = await createEmbedder("use-lite");
});
test.after(async () => {
  await rm(work, { recursive: true, force: true });
});

test("add verifies a module, and a reopened registry (or another one on the folder) sees it", async () => {
  const dir = join(work, "reg-a");
  const first = await LocalModuleRegistry.open(dir);
  const other = await LocalModuleRegistry.open(dir);
  const entry = await first.add(
    await makeModule("sql-gen", ["sql_generation", "sql"], { description: "writes SQL queries" }),
  );
  assert.is(entry.meta.module_id, "sql-gen");
  assert.equal(entry.meta.skills, ["sql_generation", "sql"]);
  assert.is(entry.meta.embed.length, embedder.dim);
  assert.equal(
    (await other.list()).map((e) => e.meta.module_id),
    ["sql-gen"],
  );
  const reopened = await LocalModuleRegistry.open(dir);
  assert.equal(
    (await reopened.lookup("SQL generation")).map((e) => e.meta.module_id),
    ["sql-gen"],
  );
  assert.is(await codeOf(reopened.lookup("poetry")), "SIGLA_MODULE_SKILL");
  assert.is(await codeOf(reopened.get("nope")), "SIGLA_MODULE_NOT_FOUND");
  assert.is(
    await codeOf(first.add(join(work, "sql-gen.capsulemod"))),
    "SIGLA_MODULE_INVALID",
    "same id twice",
  );
  await first.add(join(work, "sql-gen.capsulemod"), { replace: true });
  await first.remove("sql-gen");
  assert.equal(await other.list(), []);
  assert.not.ok(await stat(join(dir, "sql-gen")).catch(() => undefined), "its folder is deleted");
});

test("a torn last log line (a killed writer) is skipped and the next add still lands", async () => {
  const dir = join(work, "reg-torn");
  const registry = await LocalModuleRegistry.open(dir);
  await registry.add(await makeModule("alpha", ["alpha"]));
  await writeFile(
    join(dir, "registry.jsonl"),
    `${await readFile(join(dir, "registry.jsonl"), "utf8")}{"op":"add","ent`,
  );
  await registry.add(await makeModule("beta", ["beta"]));
  const reopened = await LocalModuleRegistry.open(dir);
  assert.equal((await reopened.list()).map((e) => e.meta.module_id).sort(), ["alpha", "beta"]);
});

test("damaged archives, wrong types and missing files are refused and leave nothing behind", async () => {
  const dir = join(work, "reg-bad");
  const registry = await LocalModuleRegistry.open(dir);
  const good = await makeModule("good", ["good"]);
  const cut = join(work, "cut.capsulemod");
  await writeFile(cut, await readFile(good));
  await truncate(cut, Math.floor((await stat(good)).size / 2));
  assert.match(await codeOf(registry.add(cut)), /^SIGLA_ARCHIVE_/);
  const notArchive = join(work, "text.capsulemod");
  await writeFile(notArchive, "just text");
  assert.match(await codeOf(registry.add(notArchive)), /^SIGLA_ARCHIVE_INVALID/);
  assert.is(
    await codeOf(
      convertModule(join(work, "good.safetensors"), join(work, "x.capsulemod"), {
        type: "lora",
        skills: ["x"],
        dtype: "int8",
        embedder,
      }),
    ),
    "SIGLA_MODULE_INVALID",
    "a state dict is not a LoRA",
  );
  assert.is(
    await codeOf(
      convertModule(join(work, "missing.safetensors"), join(work, "y.capsulemod"), {
        type: "state",
        skills: ["x"],
        dtype: "int8",
        embedder,
      }),
    ),
    "SIGLA_MODULE_INVALID",
  );
  assert.not.ok(await stat(join(work, "x.capsulemod")).catch(() => undefined));
  assert.equal(await registry.list(), []);
  const { readdir } = await import("node:fs/promises");
  assert.equal(
    (await readdir(dir)).filter((n) => n.startsWith(".")),
    [],
    "no staging folder is left",
  );
});

test("dependencies come first; a missing one and a cycle are named", async () => {
  const registry = await LocalModuleRegistry.open(join(work, "reg-deps"));
  await registry.add(await makeModule("tokenizer-diff", ["tokens"]));
  await registry.add(await makeModule("sql-lora", ["sql"], { dependsOn: ["tokenizer-diff"] }));
  await registry.add(await makeModule("orphan", ["orphan"], { dependsOn: ["ghost"] }));
  assert.equal(
    (await registry.dependencies("sql-lora")).map((e) => e.meta.module_id),
    ["tokenizer-diff", "sql-lora"],
  );
  assert.is(await codeOf(registry.dependencies("orphan")), "SIGLA_MODULE_NOT_FOUND");
});

test("the router picks by named skill, intent and capability, and caches for the TTL", async () => {
  const registry = await LocalModuleRegistry.open(join(work, "reg-route"));
  await registry.add(
    await makeModule("sql", ["sql_generation"], { description: "writes SQL queries for databases" }),
  );
  await registry.add(await makeModule("steps", ["steps"], { description: "step by step instructions" }));
  await registry.add(
    await makeModule("poet", ["poetry"], { description: "writes poems and rhymes about the sea" }),
  );
  let now = 0;
  const router = new ModuleRouter(registry, {
    ttlMs: 30_000,
    now: () => now,
    embedder: async () => embedder,
  });
  const bySkill = await router.selectModules("help me with sql generation for my orders table");
  assert.is(bySkill.modules[0].id, "sql");
  assert.ok(bySkill.modules[0].reasons.includes("tag"));
  const byIntent = await router.selectModules("how do I deploy the app?", { intent: "steps" });
  assert.ok(byIntent.modules.some((m) => m.id === "steps" && m.reasons.includes("intent")));
  const byMeaning = await router.selectModules("compose a short poem about the ocean waves");
  assert.is(byMeaning.modules[0]?.id, "poet", JSON.stringify(byMeaning.modules));
  assert.is((await router.selectModules("compose a short poem about the ocean waves")).cached, true);
  now += 31_000;
  assert.is(
    (await router.selectModules("compose a short poem about the ocean waves")).cached,
    false,
    "TTL passed",
  );
  await registry.remove("poet");
  const after = await router.selectModules("compose a short poem about the ocean waves");
  assert.is(after.cached, false, "a registry change drops the cache");
  assert.not.ok(after.modules.some((m) => m.id === "poet"));
});

test("the loader attaches within its RAM budget: LRU eviction, budget and device errors", async () => {
  const registry = await LocalModuleRegistry.open(join(work, "reg-load"));
  // 4096 rows × 64 float32 = 1 MiB in RAM each once dequantised.
  for (const id of ["m1", "m2", "m3"]) await registry.add(await makeModule(id, [id], { rows: 4096 }));
  await registry.add(await makeModule("big", ["big"], { rows: 16384 }));
  await registry.add(await makeModule("gpu-only", ["gpu"], { device: "cuda" }));
  await registry.add(await makeModule("child", ["child"], { dependsOn: ["m1"] }));
  const loader = new ModuleLoader(registry, { ramBytes: 2.5 * 1024 * 1024, cuda: false });
  await loader.attach("m1");
  await loader.attach("m2");
  assert.is(loader.tensors("m1").get("head.weight")?.length, 4096 * 64);
  const third = await loader.attach("m3");
  assert.equal(third.evicted, ["m2"], "m1 was used after m2, so m2 is the least recently used");
  assert.equal(
    loader.attached().map((m) => m.id),
    ["m1", "m3"],
  );
  assert.ok(loader.usage().ram <= 2.5 * 1024 * 1024);
  assert.is(await codeOf(loader.attach("big")), "SIGLA_MODULE_BUDGET");
  assert.is(await codeOf(loader.attach("gpu-only")), "SIGLA_MODULE_DEVICE");
  assert.equal(
    loader.attached().map((m) => m.id),
    ["m1", "m3"],
    "a refused attach changes nothing",
  );
  const chain = await loader.attach("child");
  assert.equal(
    chain.attached.map((m) => m.id),
    ["m1", "child"],
  );
  assert.equal(await loader.detach("m1"), ["m1", "child"], "detaching a dependency detaches its dependents");
  assert.is(await codeOf(loader.detach("m1")), "SIGLA_MODULE_NOT_FOUND");
  await loader.close();
  assert.equal(loader.attached(), []);
});

test("the pipeline's mode step traces the router's choice for each message", async () => {
  const registry = await LocalModuleRegistry.open(join(work, "reg-pipeline"));
  await registry.add(await makeModule("sql", ["sql_generation"], { description: "writes SQL queries" }));
  const store = await CapsuleStore.open(join(work, "store"), { embedder });
  const router = new ModuleRouter(registry, { embedder: async () => embedder });
  const pipeline = await Pipeline.open(store, { router });
  try {
    const session = await pipeline.session("routing");
    const turn = await pipeline.ask(session, "write an sql generation query for the orders table");
    const mode = turn.trace.find((e) => e.step === "mode" && e.status === "end");
    assert.ok(mode, "the mode step ended");
    assert.match(mode.summary, /modules: sql/);
    assert.equal(
      (mode.data.modules as { id: string }[]).map((m) => m.id),
      ["sql"],
    );
    const other = await pipeline.ask(session, "how long should bread proof?");
    const none = other.trace.find((e) => e.step === "mode" && e.status === "end");
    assert.match(none?.summary ?? "", /modules: none fit/);
  } finally {
    await pipeline.close();
    await store.close();
  }
});

test.run();
