/**
 * Magic lines of the SIGLA kernel: a cell line that starts (in column 0) with `%name` becomes one call,
 * `await siglaMagic("name", "rest of the line");`, before tslab type-checks and runs the cell. Everything
 * else is left as it was, line for line, so tslab's error positions still point at the cell's own lines.
 *
 * A `%` is a magic only at the start of a line that is code: not inside a template literal or a block
 * comment opened on an earlier line, and only when a name follows it at once (`% 3` continues a modulo).
 * Whether the name is a known magic is decided when the cell runs, so an unknown one fails there with a
 * one-line error naming it.
 */

/** The function the translated lines call; the kernel's startup cell declares it. */
export const MAGIC_FUNCTION = "siglaMagic";

/** `%name rest`: the name starts with a letter and is followed by whitespace or the end of the line. */
const MAGIC_LINE = /^%([A-Za-z][\w-]*)(?=\s|$)(.*)$/;

/** What is open at the end of a line: a block comment, and template literals / `${…}` nesting. */
interface ScanState {
  block: boolean;
  /** `t`: inside a template literal's text; `b`: inside a `${…}` (or a brace nested in one). */
  stack: ("t" | "b")[];
}

/** Advances the state over one line (strings and `//` comments end with the line). */
function scanLine(line: string, state: ScanState): void {
  const { stack } = state;
  let i = 0;
  while (i < line.length) {
    const c = line[i];
    const next = line[i + 1];
    if (state.block) {
      if (c === "*" && next === "/") {
        state.block = false;
        i += 2;
      } else i++;
      continue;
    }
    if (stack.at(-1) === "t") {
      if (c === "\\") i += 2;
      else if (c === "`") {
        stack.pop();
        i++;
      } else if (c === "$" && next === "{") {
        stack.push("b");
        i += 2;
      } else i++;
      continue;
    }
    if (c === "/" && next === "/") return;
    if (c === "/" && next === "*") {
      state.block = true;
      i += 2;
    } else if (c === '"' || c === "'") {
      i++;
      while (i < line.length && line[i] !== c) i += line[i] === "\\" ? 2 : 1;
      i++;
    } else if (c === "`") {
      stack.push("t");
      i++;
    } else if (c === "{" && stack.length > 0) {
      stack.push("b");
      i++;
    } else if (c === "}" && stack.at(-1) === "b") {
      stack.pop();
      i++;
    } else i++;
  }
}

/** The call a magic line becomes. */
export function magicCall(name: string, args: string): string {
  return `await ${MAGIC_FUNCTION}(${JSON.stringify(name)}, ${JSON.stringify(args.trim())});`;
}

/** Translates every magic line of a cell; other lines are returned unchanged. */
export function translateCell(source: string): string {
  const state: ScanState = { block: false, stack: [] };
  return source
    .split("\n")
    .map((line) => {
      const inCode = !state.block && state.stack.length === 0;
      const match = inCode ? MAGIC_LINE.exec(line.replace(/\r$/, "")) : null;
      if (match) return magicCall(match[1], match[2]);
      scanLine(line, state);
      return line;
    })
    .join("\n");
}
