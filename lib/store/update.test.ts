import { test } from "uvu";
import * as assert from "uvu/assert";
import { codeOf } from "../../test/helpers/errors.js";
import { tempPath } from "../../test/helpers/temp.js";
import { clusteredVectors } from "../../test/helpers/vectors.js";
import { CapsuleStore } from "./capsule-store.js";

const DIM = 16;
const vectors = clusteredVectors(6, DIM, 2, 7);
const fixedDim = { id: "fixed-16", dim: DIM, embed: async () => [] as Float32Array[] };

async function seeded(): Promise<CapsuleStore> {
  const store = await CapsuleStore.open(tempPath(), { embedder: fixedDim, autoLinkK: 0 });
  await store.addCapsules(vectors.map((vector, i) => ({ text: `capsule ${i}`, vector, tags: ["t"] })));
  return store;
}

test("updateCapsules changes tags, meta and links in one commit and keeps text and vector", async () => {
  const store = await seeded();
  const vectorBefore = store.vectorOf(2);
  const version = (await store.stats()).tableVersion;
  const [two, three] = await store.updateCapsules([
    { id: 2, tags: ["archive"], meta: { layer: "archive" }, link: [3, 4] },
    { id: 3, unlink: [2] },
  ]);
  assert.equal(two.tags, ["archive"]);
  assert.equal(two.meta, { layer: "archive" });
  assert.equal(two.links, [4]);
  assert.equal(three.links, []);
  assert.equal((await store.get(4))?.links, [2]);
  assert.is(two.text, "capsule 2");
  assert.equal(store.vectorOf(2), vectorBefore);
  assert.is((await store.stats()).tableVersion, version + 1);
  const path = store.path;
  await store.close();
  const reopened = await CapsuleStore.open(path, { embedder: fixedDim });
  assert.equal((await reopened.get(2))?.meta, { layer: "archive" });
  assert.equal((await reopened.get(4))?.links, [2]);
  assert.equal((await reopened.query(vectors[2], { topK: 1, tags: ["archive"] }))[0].id, 2);
  await reopened.close();
});

test("updateCapsules rejects unknown ids, self links and bad fields and changes nothing", async () => {
  const store = await seeded();
  const version = (await store.stats()).tableVersion;
  assert.is(
    await codeOf(
      store.updateCapsules([
        { id: 1, tags: ["x"] },
        { id: 99, tags: ["y"] },
      ]),
    ),
    "SIGLA_UNKNOWN_ID",
  );
  assert.is(await codeOf(store.updateCapsule(1, { link: [42] })), "SIGLA_UNKNOWN_ID");
  assert.is(await codeOf(store.updateCapsule(1, { link: [1] })), "SIGLA_INVALID_INPUT");
  assert.is(await codeOf(store.updateCapsule(1, { tags: [""] })), "SIGLA_INVALID_INPUT");
  assert.is(
    await codeOf(store.updateCapsule(1, { meta: [] as unknown as Record<string, unknown> })),
    "SIGLA_INVALID_INPUT",
  );
  assert.equal((await store.get(1))?.tags, ["t"]);
  assert.is((await store.stats()).tableVersion, version);
  await store.close();
});

test("addCapsules takes a per-batch autoLinkK", async () => {
  const store = await CapsuleStore.open(tempPath(), { embedder: fixedDim, autoLinkK: 2 });
  const [a] = await store.addCapsules([{ text: "a", vector: vectors[0] }]);
  const [b] = await store.addCapsules([{ text: "b", vector: vectors[1] }], { autoLinkK: 0 });
  assert.equal((await store.get(b))?.links, []);
  const [c] = await store.addCapsules([{ text: "c", vector: vectors[2] }]);
  assert.equal((await store.get(c))?.links.sort(), [a, b].sort());
  assert.is(
    await codeOf(store.addCapsules([{ text: "d", vector: vectors[3] }], { autoLinkK: -1 })),
    "SIGLA_INVALID_INPUT",
  );
  await store.close();
});

test.run();
