import { test } from "uvu";
import * as assert from "uvu/assert";
import { MemoryError } from "../errors.js";
import { ARCHIVE_NODE_SCHEMA, isArchiveNode, validateArchiveNode } from "./archive-schema.js";

const HASH = `sha256:${"0123456789abcdef".repeat(4)}`;

/** A node that uses every field of the schema, all valid. */
function validNode(): Record<string, unknown> {
  return {
    id: "arch_000042",
    layer: "archive",
    kind: "FACT",
    title: "FAISS does similarity search",
    content: "FAISS is a library for efficient similarity search of dense vectors.",
    source: {
      type: "file",
      ref: "notes/faiss.md",
      locator: "faiss.md#L10-L40",
      retrieved_at: "2024-05-17T10:20:30Z",
    },
    hash: HASH,
    created_at: "2024-05-17T10:20:30.123+03:00",
    modified_at: "2024-05-18T08:00:00Z",
    tags: ["faiss", "search"],
    edges: [
      { type: "SUPPORTS", to: "arch_000007" },
      { type: "DERIVED_FROM", to: "arch_000001" },
    ],
    security: { classification: "internal", redacted: true },
  };
}

/** The SIGLA_SCHEMA message validateArchiveNode throws for `node` (fails the test when nothing is thrown). */
function schemaError(node: unknown): string {
  try {
    validateArchiveNode(node);
  } catch (error) {
    assert.instance(error, MemoryError);
    assert.is((error as MemoryError).code, "SIGLA_SCHEMA");
    return (error as MemoryError).message;
  }
  assert.unreachable("validateArchiveNode accepted an invalid node");
  return "";
}

test("the schema file is the §3.8.2 ArchiveNode schema", () => {
  assert.is(ARCHIVE_NODE_SCHEMA.$id, "iskra://schemas/ArchiveNode.json");
  assert.is(ARCHIVE_NODE_SCHEMA.$schema, "https://json-schema.org/draft/2020-12/schema");
  assert.equal(ARCHIVE_NODE_SCHEMA.required, [
    "id",
    "layer",
    "kind",
    "title",
    "content",
    "source",
    "hash",
    "created_at",
  ]);
});

test("a valid node passes, with every optional field and with none", () => {
  const full = validNode();
  assert.not.throws(() => validateArchiveNode(full));
  assert.ok(isArchiveNode(full));
  const { modified_at, tags, edges, security, ...minimal } = full;
  minimal.source = { type: "conversation" };
  assert.not.throws(() => validateArchiveNode(minimal));
  assert.ok(isArchiveNode(minimal));
});

for (const field of ["id", "layer", "kind", "title", "content", "source", "hash", "created_at"]) {
  test(`a node without ${field} is rejected, naming /${field}`, () => {
    const node = validNode();
    delete node[field];
    assert.not.ok(isArchiveNode(node));
    const message = schemaError(node);
    const label = field === "id" ? "ArchiveNode without an id" : "arch_000042";
    assert.is(message, `${label}: /${field} is required`);
  });
}

test("a bad hash pattern is rejected, naming /hash", () => {
  const node = { ...validNode(), hash: `sha256:${"0123456789ABCDEF".repeat(4)}` };
  assert.not.ok(isArchiveNode(node));
  assert.is(schemaError(node), 'arch_000042: /hash must match pattern "^sha256:[0-9a-f]{64}$"');
  assert.not.ok(isArchiveNode({ ...validNode(), hash: `md5:${"0".repeat(32)}` }));
  assert.not.ok(isArchiveNode({ ...validNode(), hash: `sha256:${"0".repeat(63)}` }));
});

test("an extra property is rejected, at the top level and inside source, edges and security", () => {
  assert.is(
    schemaError({ ...validNode(), level: "GOLD" }),
    "arch_000042: /level is not allowed (not in the schema)",
  );
  const node = validNode();
  node.source = { type: "web", url: "https://example.org" };
  node.edges = [{ type: "SUPPORTS", to: "arch_000007", resolved: true }];
  node.security = { redacted: false, owner: "me" };
  assert.is(
    schemaError(node),
    "arch_000042: /source/url is not allowed (not in the schema); " +
      "/edges/0/resolved is not allowed (not in the schema); " +
      "/security/owner is not allowed (not in the schema)",
  );
});

test("a bad edge type is rejected, naming the edge and the allowed types", () => {
  const node = validNode();
  node.edges = [
    { type: "SUPPORTS", to: "arch_000007" },
    { type: "EVIDENCE_OF", to: "arch_000003" },
  ];
  assert.not.ok(isArchiveNode(node));
  assert.is(
    schemaError(node),
    'arch_000042: /edges/1/type must be one of "SUPPORTS", "CONTRADICTS", "DERIVED_FROM", "VERSION_OF", ' +
      '"RELATES_TO" (got "EVIDENCE_OF")',
  );
  node.edges = [{ type: "SUPPORTS", to: 7 }];
  assert.is(schemaError(node), "arch_000042: /edges/0/to must be string");
});

test("a bad date is rejected, naming the field", () => {
  assert.is(
    schemaError({ ...validNode(), created_at: "17.05.2024" }),
    'arch_000042: /created_at must match format "date-time"',
  );
  // RFC 3339 needs a time zone and a real calendar date.
  assert.is(
    schemaError({ ...validNode(), modified_at: "2024-05-17T10:20:30" }),
    'arch_000042: /modified_at must match format "date-time"',
  );
  const node = validNode();
  node.source = { type: "web", retrieved_at: "2024-02-30T10:00:00Z" };
  assert.is(schemaError(node), 'arch_000042: /source/retrieved_at must match format "date-time"');
});

test("wrong layer, kind, source type, classification and tag count are rejected, each named", () => {
  const node = validNode();
  node.layer = "shadow";
  node.kind = "HYPOTHESIS";
  node.source = { type: "email" };
  node.security = { classification: "secret" };
  node.tags = Array.from({ length: 65 }, (_, i) => `t${i}`);
  assert.is(
    schemaError(node),
    'arch_000042: /layer must be "archive" (got "shadow"); ' +
      '/kind must be one of "FACT", "QUOTE", "SUMMARY", "SCHEMA", "POLICY", "TEST", "MAP" (got "HYPOTHESIS"); ' +
      '/source/type must be one of "file", "web", "connector", "conversation" (got "email"); ' +
      "/tags must NOT have more than 64 items; " +
      '/security/classification must be one of "public", "internal", "pii", "shadow" (got "secret")',
  );
});

test("every violation is listed at once; a short id and non-objects are reported too", () => {
  const message = schemaError({ id: "abc", layer: "archive" });
  assert.is(
    message,
    "abc: /kind is required; /title is required; /content is required; /source is required; " +
      "/hash is required; /created_at is required; /id must NOT have fewer than 6 characters",
  );
  assert.is(schemaError(null), "ArchiveNode (got null): / must be object");
  assert.is(schemaError(["x"]), "ArchiveNode (got an array): / must be object");
  assert.is(schemaError("arch_1"), "ArchiveNode (got string): / must be object");
  assert.not.ok(isArchiveNode(undefined));
});

test.run();
