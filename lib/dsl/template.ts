/**
 * INJECT's templates: `{{name}}` placeholders (spaces inside the braces allowed) filled from the context.
 * A template is checked before anything runs, so a typo in a placeholder fails the parse, not the prompt.
 */
import { type At, checkText } from "./arguments.js";
import { dslError } from "./dsl-error.js";
import type { DslContext } from "./types.js";

/** The placeholders a template may use. */
export const PLACEHOLDERS = ["intent", "context", "count", "ids"] as const;
/** One placeholder name. */
export type Placeholder = (typeof PLACEHOLDERS)[number];

const PLACEHOLDER = /\{\{\s*([^{}]*?)\s*\}\}/g;

/**
 * The placeholders a template uses, in order. Throws `SIGLA_DSL_ARGUMENT` for an unknown name, an empty
 * `{{}}` or a `{{` that is never closed, naming the offset inside the template.
 */
export function checkTemplate(template: unknown, at: At = {}): Placeholder[] {
  const text = checkText("INJECT", "template", template, at);
  const used: Placeholder[] = [];
  for (const match of text.matchAll(PLACEHOLDER)) {
    const name = match[1];
    if (!(PLACEHOLDERS as readonly string[]).includes(name)) {
      throw dslError(
        "SIGLA_DSL_ARGUMENT",
        `INJECT template has an unknown placeholder ${match[0]} at template offset ${match.index} (known: ${PLACEHOLDERS.map((p) => `{{${p}}}`).join(", ")})`,
        at,
      );
    }
    used.push(name as Placeholder);
  }
  // What is left once the well-formed placeholders are gone must not open another one.
  const open = text.replace(PLACEHOLDER, (m) => " ".repeat(m.length)).indexOf("{{");
  if (open >= 0) {
    throw dslError(
      "SIGLA_DSL_ARGUMENT",
      `INJECT template opens "{{" at template offset ${open} and never closes it`,
      at,
    );
  }
  return used;
}

/** One line per hit, numbered from 1: `1. [ev:<id>] text`, the text on one line. */
export function evidenceLines(ctx: DslContext): string {
  return ctx.hits
    .map((hit, i) => `${i + 1}. [ev:${hit.id}] ${hit.text.replace(/\s+/g, " ").trim()}`)
    .join("\n");
}

/** Fills a (checked) template from the context. `{{ids}}` is the hit ids joined by `, `. */
export function renderTemplate(template: string, ctx: DslContext): string {
  checkTemplate(template);
  const values: Record<Placeholder, () => string> = {
    intent: () => ctx.intent,
    context: () => evidenceLines(ctx),
    count: () => String(ctx.hits.length),
    ids: () => ctx.hits.map((hit) => hit.id).join(", "),
  };
  return template.replace(PLACEHOLDER, (_, name: Placeholder) => values[name]());
}
