import { test } from "uvu";
import * as assert from "uvu/assert";
import { attributeOf, questionType, subjectOf } from "./question-type.js";
import type { QuestionType } from "./types.js";

const CASES: Array<[string, QuestionType]> = [
  ["What is LanceDB?", "definition"],
  ["What are capsules?", "definition"],
  ["What does SIFT stand for?", "definition"],
  ["What is the default chunk size?", "value"],
  ["What is the chunk size of ingest?", "value"],
  ["How many partitions does IVF use?", "value"],
  ["What is the maximum file size?", "value"],
  ["Which port does the server listen on?", "value"],
  ["Which version of Node is needed?", "value"],
  ["Is LanceDB a server?", "yesno"],
  ["Can I run SIGLA offline?", "yesno"],
  ["Does LanceDB support full-text search?", "yesno"],
  ["Should I rebuild the index?", "yesno"],
  ["How do I install SIGLA?", "steps"],
  ["How to ingest a folder?", "steps"],
  ["What are the steps to create a store?", "steps"],
  ["Which index types does LanceDB support?", "list"],
  ["List the memory layers", "list"],
  ["What are the reasoning modes?", "list"],
  ["Why does SIGLA use LanceDB?", "reason"],
  ["What is the difference between IVF and HNSW?", "comparison"],
  ["IVF vs HNSW", "comparison"],
  ["How does HNSW work?", "open"],
  ["Tell me about voices", "open"],
  // A thing named, not listed or compared; "list report" and "VS Code" are names.
  ["Which middleware serves SAPUI5 resources from my own machine?", "value"],
  ["For which SAPUI5 versions is the library downloaded automatically?", "value"],
  ["What kind of property does the entity need for uploads?", "value"],
  ["What is the keyboard shortcut to trigger code completion?", "value"],
  ["What is the marketplace id of the Connection Manager extension for VS Code?", "value"],
  ["When is caching of the last list report request switched off?", "open"],
  ["Which create modes can I use for tables?", "list"],
  ["Что такое LanceDB?", "definition"],
  ["Какой размер окна по умолчанию?", "value"],
  ["Сколько слоёв памяти?", "value"],
  ["Можно ли работать без сети?", "yesno"],
  ["Поддерживает ли LanceDB полнотекстовый поиск?", "yesno"],
  ["Как установить SIGLA?", "steps"],
  ["Какие типы индексов поддерживает LanceDB?", "list"],
  ["Почему SIGLA использует LanceDB?", "reason"],
  ["Чем IVF отличается от HNSW?", "comparison"],
  ["Как работает HNSW?", "open"],
];

test("question types, English and Russian", () => {
  const got = CASES.map(([q]) => [q, questionType(q, /[а-я]/i.test(q) ? "rus" : "eng")]);
  assert.equal(got, CASES);
});

test("Russian rules follow the script even when the language is unknown", () => {
  assert.is(questionType("Что такое капсула?", "und"), "definition");
  assert.is(questionType("What is a capsule?", "und"), "definition");
});

test("the subject of a definition and the attribute of a value question", () => {
  assert.is(subjectOf("What is the SIFT gate?"), "SIFT gate");
  assert.is(
    subjectOf("What is Apache Arrow?"),
    "Apache Arrow",
    "the article check does not eat the A of Apache",
  );
  assert.is(subjectOf("What does SIFT stand for?"), "SIFT");
  assert.is(subjectOf("Что такое LanceDB?"), "LanceDB");
  assert.is(subjectOf("LanceDB"), undefined);
  assert.is(attributeOf("What is the default chunk size?"), "default");
  assert.is(attributeOf("Which port does it use?"), "port");
  assert.is(attributeOf("Какой размер окна?"), "размер");
  assert.is(attributeOf("What is LanceDB?"), undefined);
});

test.run();
