/** Child process for the two-writers test: adds `count` capsules in small batches to the store at argv[2]. */
import { loadUseLite } from "../../lib/embed/use-lite.js";
import { CapsuleStore } from "../../lib/store/capsule-store.js";

const [path, name, count] = process.argv.slice(2);
const store = await CapsuleStore.open(path, { embedder: await loadUseLite() });
for (let i = 0; i < Number(count); i += 5) {
  await store.addCapsules(
    Array.from({ length: 5 }, (_, j) => ({
      text: `${name} writes note ${i + j} about topic ${(i + j) % 7}`,
      tags: [name],
    })),
  );
}
await store.close();
