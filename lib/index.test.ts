import { existsSync, readFileSync } from "node:fs";
import { dirname, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { test } from "uvu";
import * as assert from "uvu/assert";

// TypeScript 7 ships no JS compiler API, so this reads the sources: every name `index.ts` exports is followed
// through `export … from` / `export *` / local `export { … }` / `import` chains to the statement that declares it,
// and the text right above that statement must be a `/** … */` block.

const INDEX = fileURLToPath(new URL("./index.ts", import.meta.url));

/** Where an exported name is declared: the file, and the statement's offset in it. */
interface Declaration {
  file: string;
  at: number;
}

const sources = new Map<string, string>();

function source(file: string): string {
  let text = sources.get(file);
  if (text === undefined) {
    text = readFileSync(file, "utf8");
    sources.set(file, text);
  }
  return text;
}

/** `./x.js` seen from `from`, as the `.ts`/`.tsx` file (or folder index) it is. */
function moduleFile(from: string, specifier: string): string {
  const base = resolve(dirname(from), specifier).replace(/\.js$/, "");
  const candidates = [`${base}.ts`, `${base}.tsx`, `${base}/index.ts`, `${base}/index.tsx`];
  const found = candidates.find((file) => existsSync(file));
  if (!found) throw new Error(`${relative(process.cwd(), from)}: cannot resolve "${specifier}"`);
  return found;
}

/** The `a`, `b as c`, `type D` items of an `{ … }` list, as [imported name, local/exported name] pairs. */
function specifiers(list: string): [string, string][] {
  return list
    .replace(/\/\/.*$|\/\*[\s\S]*?\*\//gm, "")
    .split(",")
    .map((item) => item.trim().replace(/^type\s+/, ""))
    .filter((item) => item !== "")
    .map((item) => {
      const [name, alias] = item.split(/\s+as\s+/);
      return [name, alias ?? name];
    });
}

const DECLARATION =
  /^export\s+(?:declare\s+)?(?:default\s+)?(?:async\s+)?(?:abstract\s+)?(?:function\*?|class|const|let|var|interface|type|enum|namespace)\s+([\w$]+)/gm;
const RE_EXPORT_ALL = /^export\s+(?:type\s+)?\*\s+(?:as\s+([\w$]+)\s+)?from\s+["']([^"']+)["']/gm;
const EXPORT_LIST = /^export\s+(?:type\s+)?\{([^}]*)\}(?:\s*from\s+["']([^"']+)["'])?/gm;

const exportTables = new Map<string, Map<string, Declaration>>();

/** Every name `file` exports, mapped to the statement that declares it. */
function exportsOf(file: string): Map<string, Declaration> {
  const known = exportTables.get(file);
  if (known) return known;
  const table = new Map<string, Declaration>();
  exportTables.set(file, table);
  const text = source(file);
  for (const match of text.matchAll(DECLARATION)) table.set(match[1], { file, at: match.index });
  for (const match of text.matchAll(RE_EXPORT_ALL)) {
    const [, namespace, specifier] = match;
    const target = moduleFile(file, specifier);
    // `export * as ns` is documented where it stands; a plain `export *` passes every name on.
    if (namespace) table.set(namespace, { file, at: match.index });
    else
      for (const [name, declaration] of exportsOf(target)) if (!table.has(name)) table.set(name, declaration);
  }
  for (const match of text.matchAll(EXPORT_LIST)) {
    const [, list, specifier] = match;
    for (const [name, exported] of specifiers(list)) {
      table.set(
        exported,
        specifier ? exportedBy(moduleFile(file, specifier), name) : localDeclaration(file, name),
      );
    }
  }
  return table;
}

function exportedBy(file: string, name: string): Declaration {
  const declaration = exportsOf(file).get(name);
  if (!declaration) throw new Error(`${relative(process.cwd(), file)} does not export ${name}`);
  return declaration;
}

/** A name a module declares without `export` (or imports) and exports later with `export { name }`. */
function localDeclaration(file: string, name: string): Declaration {
  const text = source(file);
  const declared = new RegExp(
    `^(?:declare\\s+)?(?:async\\s+)?(?:abstract\\s+)?(?:function\\*?|class|const|let|var|interface|type|enum|namespace)\\s+${name}\\b`,
    "m",
  ).exec(text);
  if (declared) return { file, at: declared.index };
  for (const match of text.matchAll(/^import\s+(?:type\s+)?\{([^}]*)\}\s*from\s+["']([^"']+)["']/gm)) {
    const imported = specifiers(match[1]).find(([, local]) => local === name);
    if (imported) return exportedBy(moduleFile(file, match[2]), imported[0]);
  }
  throw new Error(`${relative(process.cwd(), file)}: no declaration of ${name}`);
}

/**
 * Whether a `/** … *\/` block stands right above the statement at `at`: decorators, line comments and blank
 * lines may sit between. A block that opens the file and is set apart by a blank line is the module's own
 * comment, not the declaration's.
 */
function hasDoc(text: string, at: number): boolean {
  const lines = text.slice(0, at).split("\n");
  lines.pop(); // the declaration line's own start
  let blank = false;
  while (lines.length > 0) {
    const line = lines[lines.length - 1].trim();
    if (line === "") blank = true;
    else if (!line.startsWith("@") && !line.startsWith("//")) break;
    lines.pop();
  }
  const above = lines.join("\n");
  if (!above.trimEnd().endsWith("*/")) return false;
  const opening = above.lastIndexOf("/*");
  if (opening < 0 || !above.startsWith("/**", opening) || above.startsWith("/**/", opening)) return false;
  return !(blank && above.slice(0, opening).trim() === "");
}

/** A member line at the top level of a class body: a method, accessor or field, with its name. */
const MEMBER =
  /^ {2}(?!private\b|protected\b|#|constructor\b)(?:public\s+)?(?:static\s+)?(?:override\s+)?(?:readonly\s+)?(?:async\s+)?(?:(?:get|set)\s+)?\*?([\w$]+)[?!]?\s*[(<:=]/;

/** The public members of the class declared at `at` (body lines indented one level) that lack a doc block. */
function undocumentedMembers(text: string, at: number): { name: string; at: number }[] {
  const bodyEnd = text.indexOf("\n}", at);
  const missing: { name: string; at: number }[] = [];
  let offset = text.indexOf("\n", at) + 1;
  while (offset > 0 && offset <= bodyEnd) {
    const name = MEMBER.exec(text.slice(offset, text.indexOf("\n", offset)))?.[1];
    if (name && !hasDoc(text, offset)) missing.push({ name, at: offset });
    offset = text.indexOf("\n", offset) + 1;
  }
  return missing;
}

function where(declaration: Declaration): string {
  const line = source(declaration.file).slice(0, declaration.at).split("\n").length;
  return `${relative(process.cwd(), declaration.file)}:${line}`;
}

test("index.ts exports the API's known names, each traced to its declaration", () => {
  const names = exportsOf(INDEX);
  for (const name of [
    "CapsuleStore",
    "SiglaError",
    "Workbench",
    "RECALL_TARGET",
    "dsl",
    "runCli",
    "Pipeline",
  ]) {
    assert.ok(names.has(name), `index.ts exports ${name}`);
  }
  assert.ok(names.size > 100, `${names.size} names`);
});

test("every name index.ts exports has a TSDoc comment on its declaration", () => {
  const undocumented = [...exportsOf(INDEX)]
    .filter(([, declaration]) => !hasDoc(source(declaration.file), declaration.at))
    .map(([name, declaration]) => `${name} (${where(declaration)})`)
    .sort();
  assert.ok(undocumented.length === 0, `undocumented exports:\n  ${undocumented.join("\n  ")}`);
});

test("every public member of a class index.ts exports has a TSDoc comment", () => {
  const undocumented = [...exportsOf(INDEX)]
    .filter(([, { file, at }]) =>
      /^export\s+(?:declare\s+)?(?:abstract\s+)?class\b/.test(source(file).slice(at)),
    )
    .flatMap(([name, { file, at }]) =>
      undocumentedMembers(source(file), at).map(
        (member) => `${name}.${member.name} (${where({ file, at: member.at })})`,
      ),
    )
    .sort();
  assert.ok(undocumented.length === 0, `undocumented members:\n  ${undocumented.join("\n  ")}`);
});

test("hasDoc: a block right above counts; a plain comment, or the file's header, does not", () => {
  const documented = (text: string) => hasDoc(text, text.indexOf("export"));
  assert.ok(documented("/** A. */\nexport const a = 1;"));
  assert.ok(
    documented("import x from 'x';\n/**\n * A.\n */\n@sealed\n\n// biome-ignore x\nexport class A {}"),
  );
  assert.not.ok(documented("/* A. */\nexport const a = 1;"));
  assert.not.ok(documented("/** Module. */\n\nexport const a = 1;"));
  assert.not.ok(documented("/** A. */\nconst b = 2;\nexport const a = 1;"));
});

test.run();
