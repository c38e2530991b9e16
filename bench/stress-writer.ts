/**
 * One writer of the store stress (`stress.ts`), in a process of its own:
 * `node --import tsx bench/stress-writer.ts '<job JSON>'`. It adds capsules in batches (auto-linked),
 * now and then deletes one of its own and links two of them, and says on stdout, one line each, what it
 * is about to do (`begin <op>`) and what the store acknowledged (`ack <op>`), so the parent can tell an
 * acknowledged write from the one a kill interrupted.
 */
import { precomputedEmbedder } from "../lib/embed/embedder.js";
import { seededRandom } from "../lib/random.js";
import { CapsuleStore } from "../lib/store/capsule-store.js";

export interface StressWriterJob {
  path: string;
  name: string;
  /** Capsules to add, in batches of `batch`. */
  count: number;
  batch: number;
  dim: number;
  seed: number;
}

/** What a writer does, as it reports it. */
export type StressOp =
  | { kind: "add"; texts: string[]; ids?: number[] }
  | { kind: "delete"; id: number; text: string }
  | { kind: "link"; a: number; b: number };

async function run(job: StressWriterJob): Promise<void> {
  const next = seededRandom(job.seed);
  const say = (word: "begin" | "ack", op: StressOp) =>
    process.stdout.write(`${word} ${JSON.stringify(op)}\n`);
  const store = await CapsuleStore.open(job.path, { embedder: precomputedEmbedder(job.dim), autoLinkK: 3 });
  const mine: Array<{ id: number; text: string }> = [];
  for (let done = 0, round = 0; done < job.count; round++) {
    const size = Math.min(job.batch, job.count - done);
    const texts = Array.from({ length: size }, (_, i) => `${job.name}:${done + i}`);
    const op: StressOp = { kind: "add", texts };
    say("begin", op);
    const ids = await store.addCapsules(
      texts.map((text) => ({
        text,
        tags: [job.name],
        vector: Float32Array.from({ length: job.dim }, () => next() - 0.5),
      })),
    );
    say("ack", { ...op, ids });
    ids.forEach((id, i) => {
      mine.push({ id, text: texts[i] });
    });
    done += size;
    if (round % 3 === 2 && mine.length > 2) {
      const [victim] = mine.splice(Math.floor(next() * mine.length), 1);
      const del: StressOp = { kind: "delete", id: victim.id, text: victim.text };
      say("begin", del);
      await store.delete(victim.id);
      say("ack", del);
    }
    if (round % 4 === 3 && mine.length > 2) {
      const link: StressOp = { kind: "link", a: mine[0].id, b: mine[mine.length - 1].id };
      say("begin", link);
      await store.updateCapsule(link.a, { link: [link.b] });
      say("ack", link);
    }
  }
  await store.close();
}

await run(JSON.parse(process.argv[2]) as StressWriterJob);
