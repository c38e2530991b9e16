import { test } from "uvu";
import * as assert from "uvu/assert";
import { bm25, stem, terms } from "./terms.js";

test("terms: content words, light stems, English and Russian stop words out", () => {
  assert.equal(terms("Which index types does LanceDB support?"), ["index", "type", "lancedb", "support"]);
  assert.equal(terms("LanceDB supports indexes such as IVF_PQ"), [
    "lancedb",
    "support",
    "index",
    "ivf",
    "pq",
  ]);
  assert.equal(terms("Какие типы индексов поддерживает LanceDB?"), ["тип", "индекс", "поддержив", "lancedb"]);
  assert.equal(["running", "overlapped", "installing", "queries", "classes", "status"].map(stem), [
    "run",
    "overlap",
    "install",
    "query",
    "class",
    "status",
  ]);
  // British and American spellings, singular and plural, meet.
  assert.equal(["colour", "colours", "color", "behaviours"].map(stem), [
    "color",
    "color",
    "color",
    "behavior",
  ]);
  assert.equal(["hour", "your"].map(stem), ["hour", "your"]);
  assert.is(stem("settings"), stem("setting"));
  assert.is(stem("индексами"), stem("индексы"));
  assert.is(stem("работает"), stem("работают"));
});

test("bm25: rare matching terms score higher, long documents are normalised, no match scores 0", () => {
  const docs = [
    terms("LanceDB supports indexes such as IVF_PQ and IVF_HNSW_SQ."),
    terms("LanceDB is an embedded database that keeps data in files on disk and runs in process."),
    terms("Capsule ids are integers."),
  ];
  const [a, b, c] = bm25(terms("Which index types does LanceDB support?"), docs);
  assert.ok(a > b && b > 0, `${a} ${b}`);
  assert.is(c, 0);
  assert.equal(bm25(["x"], []), []);
});

test.run();
