import { test } from "uvu";
import * as assert from "uvu/assert";
import { CellQueue } from "./cell-queue.js";

const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

test("cells run one after another, in the order they came", async () => {
  const queue = new CellQueue();
  const ran: number[] = [];
  const cell = (n: number) => async () => {
    await tick();
    ran.push(n);
    return true;
  };
  assert.equal(await Promise.all([queue.run(cell(1)), queue.run(cell(2)), queue.run(cell(3))]), [
    "ok",
    "ok",
    "ok",
  ]);
  assert.equal(ran, [1, 2, 3]);
});

test("a failure with stopOnError aborts the cells queued behind it, not those that come later", async () => {
  const queue = new CellQueue();
  const ran: string[] = [];
  const cell =
    (name: string, ok = true) =>
    async () => {
      ran.push(name);
      return ok;
    };
  const queued = [queue.run(cell("fails", false)), queue.run(cell("queued")), queue.run(cell("queued too"))];
  assert.equal(await Promise.all(queued), ["error", "aborted", "aborted"]);
  assert.is(await queue.run(cell("later")), "ok", "a request sent after the failure runs");
  assert.equal(ran, ["fails", "later"]);
});

test("with stopOnError false (--allow-errors) a failure aborts nothing; a throw is a failure", async () => {
  const queue = new CellQueue();
  const throws = async (): Promise<boolean> => {
    throw new Error("boom");
  };
  const statuses = await Promise.all([queue.run(throws, false), queue.run(async () => true, false)]);
  assert.equal(statuses, ["error", "ok"]);
});

test.run();
