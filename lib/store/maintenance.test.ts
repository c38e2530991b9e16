import { readdir } from "node:fs/promises";
import { join } from "node:path";
import "./lancedb-env.js";
import * as lancedb from "@lancedb/lancedb";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { tempPath } from "../../test/helpers/temp.js";
import { clusteredVectors } from "../../test/helpers/vectors.js";
import { precomputedEmbedder } from "../embed/embedder.js";
import { CapsuleStore } from "./capsule-store.js";
import { doctor } from "./doctor.js";

const embedder = precomputedEmbedder(16);
const vectors = clusteredVectors(60, 16, 4, 2);

async function fragments(path: string): Promise<number> {
  const db = await lancedb.connect(path);
  const table = await db.openTable("capsules");
  const stats = await table.stats();
  table.close();
  db.close();
  return stats.fragmentStats.numFragments;
}

test("single writes are compacted on a policy, so fragments stay few; optimize removes old versions", async () => {
  const paths = [tempPath(), tempPath()];
  const [compacted, never] = await Promise.all(
    [20, 0].map((compactEvery, i) => CapsuleStore.open(paths[i], { embedder, compactEvery, autoLinkK: 2 })),
  );
  for (const [i, vector] of vectors.entries()) {
    await compacted.addCapsules([{ text: `write ${i}`, vector }]);
    await never.addCapsules([{ text: `write ${i}`, vector }]);
  }
  const loose = await fragments(paths[1]);
  assert.ok(loose >= 30, `without the policy writes pile up fragments (${loose})`);
  assert.ok((await fragments(paths[0])) <= 5, `${await fragments(paths[0])} fragments with the policy`);
  const before = (await readdir(join(paths[0], "capsules.lance", "_versions"))).length;
  const { removedVersions } = await compacted.optimize({ keepVersionsMs: 0 });
  const after = (await readdir(join(paths[0], "capsules.lance", "_versions"))).length;
  assert.ok(removedVersions > 0 && after <= 3, `${before} versions before optimize, ${after} after`);
  assert.is(await compacted.count(), 60);
  assert.is((await compacted.get(59))?.text, "write 59");
  await compacted.close();
  await never.close();
  // The compacted store reopens as committed: same rows, healthy.
  assert.ok((await doctor(paths[0], { embedder })).ok);
});

test.run();
