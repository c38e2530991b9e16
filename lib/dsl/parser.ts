/**
 * The DSL's parser: `INTENT "..." | RETRIEVE k=8 tags=a,b | EXPAND depth=1 | MERGE | INJECT "..."`.
 *
 *     program  := step ("|" step)*
 *     step     := INTENT string | RETRIEVE [string] arg* | EXPAND arg* | MERGE arg* | INJECT string
 *     arg      := word "=" value ("," value)*
 *     value    := string | number | word
 *
 * Operator words and argument keys are case-insensitive. Grammar errors are `SIGLA_DSL_PARSE` and say
 * what was expected; unknown operators and bad arguments are `SIGLA_DSL_ARGUMENT`. Every message starts
 * with `position N:` (0-based offset) and the error's `position` holds N.
 */
import { DslError } from "../errors.js";
import {
  type ArgumentOperator,
  type At,
  argumentKind,
  checkArgument,
  checkText,
  resolveExpand,
  resolveMerge,
  resolveRetrieve,
} from "./arguments.js";
import { dslError } from "./dsl-error.js";
import { describeToken, type Token, tokenize } from "./lexer.js";
import { checkTemplate } from "./template.js";
import {
  DSL_OPERATORS,
  type DslOperator,
  type DslProgram,
  type DslStep,
  type ExpandOptions,
  type MergeOptions,
  type RetrieveOptions,
} from "./types.js";

const KNOWN = DSL_OPERATORS.join(", ");

/** Parses a program into typed steps (defaults filled in: RETRIEVE k=5 mode=hybrid, EXPAND depth=1, MERGE dedupe=0.9). */
export function parseDsl(text: string): DslProgram {
  if (typeof text !== "string") throw new DslError("SIGLA_DSL_ARGUMENT", "a DSL program must be a string");
  return checkProgram(new Parser(tokenize(text)).program());
}

class Parser {
  private i = 0;

  constructor(private readonly tokens: Token[]) {}

  program(): DslStep[] {
    const steps = [this.step()];
    while (this.peek().kind === "pipe") {
      this.i++;
      steps.push(this.step());
    }
    // `step()` stops only at "|" or the end, so anything else here is a bug in this parser.
    if (this.peek().kind !== "end") throw this.expected("end of input");
    return steps;
  }

  private peek(): Token {
    return this.tokens[this.i];
  }

  private next(): Token {
    const token = this.tokens[this.i];
    if (token.kind !== "end") this.i++;
    return token;
  }

  /** A parse error at the current token: what was expected there, and what came instead. */
  private expected(what: string): DslError {
    const token = this.peek();
    return dslError("SIGLA_DSL_PARSE", `expected ${what}, got ${describeToken(token)}`, {
      position: token.offset,
    });
  }

  private step(): DslStep {
    const previous = this.tokens[this.i - 1];
    const head = this.peek();
    if (head.kind !== "word") {
      throw this.expected(previous ? `an operator after "|" (${KNOWN})` : `an operator (${KNOWN})`);
    }
    this.i++;
    const op = head.value.toUpperCase() as DslOperator;
    const position = head.offset;
    switch (op) {
      case "INTENT": {
        const text = this.quoted(op, "text");
        this.endOfStep(op);
        return { op, text, position };
      }
      case "INJECT": {
        const token = this.peek();
        const template = this.quoted(op, "template");
        checkTemplate(template, { position: token.offset });
        this.endOfStep(op);
        return { op, template, position };
      }
      case "RETRIEVE": {
        const step: DslStep = { op, position };
        if (this.peek().kind === "string") {
          const token = this.next();
          step.q = checkText(op, "query", token.value, { position: token.offset });
        }
        return Object.assign(step, this.arguments(op, step.q !== undefined));
      }
      case "EXPAND":
      case "MERGE":
        return { op, position, ...this.arguments(op, false) };
      default:
        throw dslError("SIGLA_DSL_ARGUMENT", `unknown operator "${head.value}" (known: ${KNOWN})`, {
          position,
        });
    }
  }

  /** The one quoted string INTENT and INJECT take. */
  private quoted(op: "INTENT" | "INJECT", what: string): string {
    const token = this.peek();
    if (token.kind !== "string") throw this.expected(`a quoted string after ${op}`);
    this.i++;
    return checkText(op, what, token.value, { position: token.offset });
  }

  private endOfStep(op: DslOperator): void {
    const token = this.peek();
    if (token.kind !== "pipe" && token.kind !== "end")
      throw this.expected(`"|" or end of input after ${op}'s string`);
  }

  /** `key=value` arguments up to the next "|" or the end, each checked against the operator's spec. */
  private arguments(op: ArgumentOperator, hasQuery: boolean): Record<string, unknown> {
    const args: Record<string, unknown> = {};
    while (this.peek().kind !== "pipe" && this.peek().kind !== "end") {
      const keyToken = this.peek();
      if (keyToken.kind !== "word") {
        throw this.expected(`key=value or "|" after ${op}`);
      }
      this.i++;
      const key = keyToken.value.toLowerCase();
      const spec = argumentKind(op, key, { position: keyToken.offset });
      if (this.peek().kind !== "equals") throw this.expected(`"=" after ${op} argument ${key}`);
      this.i++;
      const values = this.values(`a value for ${op} ${key}`);
      if (Object.hasOwn(args, key) || (key === "q" && hasQuery)) {
        throw dslError("SIGLA_DSL_ARGUMENT", `${op} ${key} is given twice`, { position: keyToken.offset });
      }
      const at: At = { position: values[0].offset };
      let value: unknown;
      if (spec.kind === "list") {
        value = values.map((token) => token.value);
      } else if (values.length > 1) {
        throw dslError("SIGLA_DSL_ARGUMENT", `${op} ${key} takes one value, got a list`, at);
      } else {
        const [token] = values;
        const numeric = spec.kind === "int" || spec.kind === "fraction";
        value = numeric && token.kind === "number" ? Number(token.value) : token.value;
      }
      args[key] = checkArgument(op, key, value, at);
    }
    return args;
  }

  /** One value, or several separated by commas (no space needed around them). */
  private values(what: string): Token[] {
    const isValue = (token: Token) =>
      token.kind === "string" || token.kind === "number" || token.kind === "word";
    if (!isValue(this.peek())) throw this.expected(what);
    const values = [this.next()];
    while (this.peek().kind === "comma") {
      this.i++;
      if (!isValue(this.peek())) throw this.expected('a value after ","');
      values.push(this.next());
    }
    return values;
  }
}

/**
 * Checks a program's steps (operator names, arguments, texts) and its shape, and returns the steps with
 * defaults filled in. The shape: it starts with INTENT "..." or RETRIEVE "query" (or q="..."); INTENT
 * appears only there; EXPAND and MERGE come after a RETRIEVE; INJECT, if present, is last. Shape errors
 * are `SIGLA_DSL_PARSE`; bad steps are `SIGLA_DSL_ARGUMENT`. `runDsl` runs this on hand-built programs.
 */
export function checkProgram(program: DslProgram): DslProgram {
  if (!Array.isArray(program) || program.length === 0) {
    throw dslError("SIGLA_DSL_PARSE", `expected a program of at least one step (${KNOWN})`);
  }
  const steps = program.map((step, index) => checkStep(step, where(step, index)));
  let retrieved = false;
  steps.forEach((step, index) => {
    const at = where(step, index);
    if (index === 0 && !(step.op === "INTENT" || (step.op === "RETRIEVE" && step.q !== undefined))) {
      const got =
        step.op === "RETRIEVE" ? 'RETRIEVE without a query (write RETRIEVE "..." or q="...")' : step.op;
      throw dslError(
        "SIGLA_DSL_PARSE",
        `expected INTENT "..." or RETRIEVE "query" as the first step, got ${got}`,
        at,
      );
    }
    if (index > 0 && step.op === "INTENT") {
      throw dslError(
        "SIGLA_DSL_PARSE",
        "expected RETRIEVE, EXPAND, MERGE or INJECT, got INTENT (INTENT can only be the first step)",
        at,
      );
    }
    if ((step.op === "EXPAND" || step.op === "MERGE") && !retrieved) {
      throw dslError(
        "SIGLA_DSL_PARSE",
        `expected a RETRIEVE before ${step.op}: it works on retrieved results`,
        at,
      );
    }
    if (step.op === "INJECT" && index < steps.length - 1) {
      const after = steps[index + 1];
      throw dslError(
        "SIGLA_DSL_PARSE",
        `expected the program to end after INJECT, got ${after.op} (INJECT must be the last step)`,
        where(after, index + 1),
      );
    }
    if (step.op === "RETRIEVE") retrieved = true;
  });
  return steps;
}

/** A step's place for error messages: its text offset when parsed, else its 1-based number. */
function where(step: DslStep, index: number): At {
  const position = (step as { position?: unknown } | null)?.position;
  return typeof position === "number" ? { position } : { step: index + 1 };
}

/** One step, checked, with defaults filled in and `op` in upper case. */
function checkStep(step: DslStep, at: At): DslStep {
  if (typeof step !== "object" || step === null || typeof step.op !== "string") {
    throw dslError("SIGLA_DSL_ARGUMENT", `a step must be an object with an "op" (${KNOWN})`, at);
  }
  const {
    op: name,
    position,
    ...rest
  } = step as unknown as { op: string; position?: number } & Record<string, unknown>;
  const op = name.toUpperCase() as DslOperator;
  const located = position === undefined ? {} : { position };
  switch (op) {
    case "INTENT":
    case "INJECT": {
      const field = op === "INTENT" ? "text" : "template";
      const { [field]: text, ...extra } = rest;
      const unknown = Object.keys(extra)[0];
      if (unknown !== undefined) {
        throw dslError("SIGLA_DSL_ARGUMENT", `${op} has no argument "${unknown}" (it takes ${field})`, at);
      }
      if (op === "INTENT") return { op, text: checkText(op, field, text, at), ...located };
      checkTemplate(text, at);
      return { op, template: text as string, ...located };
    }
    case "RETRIEVE":
      return { op, ...resolveRetrieve(rest as RetrieveOptions, at), ...located };
    case "EXPAND":
      return { op, ...resolveExpand(rest as ExpandOptions, at), ...located };
    case "MERGE":
      return { op, ...resolveMerge(rest as MergeOptions, at), ...located };
    default:
      throw dslError("SIGLA_DSL_ARGUMENT", `unknown operator "${name}" (known: ${KNOWN})`, at);
  }
}
