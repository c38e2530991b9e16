/** The external-source step and the memory budget, through the real pipeline on USE-lite. */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { tempDir, tempPath } from "../../test/helpers/temp.js";
import { loadUseLite } from "../embed/use-lite.js";
import { Memory } from "../memory/layers.js";
import { CapsuleStore } from "../store/capsule-store.js";
import { Pipeline } from "./pipeline.js";

const embedder = await loadUseLite();

test("connectors: memory too thin → folders searched, the chunk saved to ARCHIVE with provenance and cited", async () => {
  const folder = tempDir();
  await mkdir(join(folder, "bread"));
  await writeFile(
    join(folder, "bread", "oven.md"),
    "Bake sourdough bread in a very hot oven, at 250 degrees, with steam.",
  );
  await writeFile(join(folder, "bread", "starter.md"), "Feed the sourdough starter flour and water daily.");
  await writeFile(join(folder, "zz-notes.md"), "Football results of the season.");
  const store = await CapsuleStore.open(tempPath(), { embedder });
  const pipeline = await Pipeline.open(store, { connectors: [folder] });
  const result = await pipeline.ask(
    await pipeline.session("ext"),
    "How hot should the oven be for sourdough bread?",
  );
  const external = result.trace.find((e) => e.step === "external");
  assert.is(external?.data.searched, true);
  const saved = external?.data.saved as number[];
  assert.ok(saved.length >= 1, JSON.stringify(external?.data));
  const memory = await Memory.open(store);
  const node = await memory.node(saved[0]);
  assert.is(node.layer, "archive");
  assert.is(node.kind, "QUOTE");
  assert.is(node.source?.type, "connector");
  assert.ok(node.source?.ref?.endsWith("oven.md"));
  assert.match(node.source?.locator ?? "", /^chars \d+-\d+$/);
  assert.ok(
    result.citations.some((c) => c.evidenceId === `ev:${saved[0]}`),
    JSON.stringify(result.citations),
  );
  assert.ok(result.delta.delta.includes(`ARCHIVE QUOTE #${saved[0]}`), result.delta.delta);
  await memory.close();
  await pipeline.close();
  await store.close();
});

test("a file budget stops the search with the best slice so far and puts the rest into Λ", async () => {
  const folder = tempDir();
  for (let i = 0; i < 5; i++)
    await writeFile(join(folder, `n${i}.md`), `Sourdough note ${i}: proof the dough overnight.`);
  const store = await CapsuleStore.open(tempPath(), { embedder });
  const pipeline = await Pipeline.open(store, { connectors: [folder], externalMaxFiles: 2 });
  const result = await pipeline.ask(
    await pipeline.session("budget"),
    "How long should sourdough dough proof?",
  );
  const external = result.trace.find((e) => e.step === "external");
  assert.is(external?.data.scanned, 2);
  assert.is(external?.data.skipped, 3);
  assert.ok(result.delta.lambda.startsWith("search the 3 files not reached yet"), result.delta.lambda);
  await pipeline.close();
  await store.close();
});

test("the context window chooses how much memory is injected", async () => {
  const store = await CapsuleStore.open(tempPath(), { embedder });
  await store.addCapsules(
    Array.from({ length: 40 }, (_, i) => ({
      text: `Vector index note ${i}: IVF and HNSW trade recall for speed in case ${i}.`,
      source: `/notes/${i}.md`,
    })),
  );
  const used: number[] = [];
  for (const contextWindow of [8192, 131072] as const) {
    const pipeline = await Pipeline.open(store, { contextWindow });
    const result = await pipeline.ask(
      await pipeline.session(`w${contextWindow}`),
      "How do IVF and HNSW trade recall for speed?",
    );
    const memory = result.trace.find((e) => e.step === "memory")?.data as {
      evidence: unknown[];
      budget: { tokens: number };
    };
    used.push(memory.evidence.length);
    assert.is(memory.budget.tokens, contextWindow === 8192 ? 1536 : 24576);
    await pipeline.close();
  }
  assert.ok(used[1] > used[0] * 2, used.join(" vs "));
  try {
    await Pipeline.open(store, { contextWindow: 1000 as never });
    assert.unreachable();
  } catch (error) {
    assert.is((error as { code: string }).code, "SIGLA_INVALID_INPUT");
  }
  await store.close();
});

test.run();
