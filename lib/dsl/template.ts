/**
 * INJECT's templates: `{{name}}` fields (spaces inside the braces allowed) filled from the context.
 * A template is checked before anything runs, so a typo in a field name fails the parse, not the prompt.
 */
import { type At, checkText } from "./arguments.js";
import { dslError } from "./dsl-error.js";
import type { DslContext } from "./types.js";

/** The fields a template may use. */
export const TEMPLATE_FIELDS = ["intent", "context", "count", "ids"] as const;
/** One field name. */
export type TemplateField = (typeof TEMPLATE_FIELDS)[number];

const FIELD = /\{\{\s*([^{}]*?)\s*\}\}/g;

/**
 * The fields a template uses, in order. Throws `SIGLA_DSL_ARGUMENT` for an unknown name, an empty
 * `{{}}` or a `{{` that is never closed, naming the offset inside the template.
 */
export function checkTemplate(template: unknown, at: At = {}): TemplateField[] {
  const text = checkText("INJECT", "template", template, at);
  const used: TemplateField[] = [];
  for (const match of text.matchAll(FIELD)) {
    const name = match[1];
    if (!(TEMPLATE_FIELDS as readonly string[]).includes(name)) {
      throw dslError(
        "SIGLA_DSL_ARGUMENT",
        `INJECT template has an unknown field ${match[0]} at template offset ${match.index} (known: ${TEMPLATE_FIELDS.map((p) => `{{${p}}}`).join(", ")})`,
        at,
      );
    }
    used.push(name as TemplateField);
  }
  // What is left once the well-formed fields are gone must not open another one.
  const open = text.replace(FIELD, (m) => " ".repeat(m.length)).indexOf("{{");
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
  const values: Record<TemplateField, () => string> = {
    intent: () => ctx.intent,
    context: () => evidenceLines(ctx),
    count: () => String(ctx.hits.length),
    ids: () => ctx.hits.map((hit) => hit.id).join(", "),
  };
  return template.replace(FIELD, (_, name: TemplateField) => values[name]());
}
