/**
 * What redaction finds: the kinds of finding, their categories and the masks that replace them.
 */

/** What a finding is about. */
export type FindingCategory = "pii" | "secret" | "injection";

/** Every kind of finding; secrets are replaced by `[SECRET:<kind>]`. */
export type FindingKind =
  | "email"
  | "phone"
  | "card"
  | "iban"
  | "private-key"
  | "anthropic"
  | "openai"
  | "github"
  | "aws-access-key"
  | "aws-secret-key"
  | "slack"
  | "google"
  | "stripe"
  | "jwt"
  | "bearer"
  | "basic-auth"
  | "api-key"
  | "token"
  | "secret"
  | "password"
  | "injection";

/** One span to redact: `[start, end)` in the original text and the mask that replaces it. */
export interface Finding {
  kind: FindingKind;
  category: FindingCategory;
  start: number;
  end: number;
  replacement: string;
}

/** A span a detector found, before overlapping spans are merged. */
export interface Span {
  kind: FindingKind;
  start: number;
  end: number;
}

const CATEGORY: Record<FindingKind, FindingCategory> = {
  email: "pii",
  phone: "pii",
  card: "pii",
  iban: "pii",
  "private-key": "secret",
  anthropic: "secret",
  openai: "secret",
  github: "secret",
  "aws-access-key": "secret",
  "aws-secret-key": "secret",
  slack: "secret",
  google: "secret",
  stripe: "secret",
  jwt: "secret",
  bearer: "secret",
  "basic-auth": "secret",
  "api-key": "secret",
  token: "secret",
  secret: "secret",
  password: "secret",
  injection: "injection",
};

/** The category of a finding kind. */
export function categoryOf(kind: FindingKind): FindingCategory {
  return CATEGORY[kind];
}

/** The mask that replaces a finding of `kind`. */
export function maskFor(kind: FindingKind): string {
  switch (kind) {
    case "email":
      return "[EMAIL]";
    case "phone":
      return "[PHONE]";
    case "card":
      return "[CARD]";
    case "iban":
      return "[IBAN]";
    case "private-key":
      return "[PRIVATE_KEY]";
    case "injection":
      return "[INJECTION]";
    default:
      return `[SECRET:${kind}]`;
  }
}

/** Every mask `redact` writes; never reported as a finding. */
const MASK = /\[(?:EMAIL|PHONE|CARD|IBAN|PRIVATE_KEY|INJECTION|SECRET:[a-z-]+)\]/g;

/** `[start, end)` of every mask in `text`. */
export function maskRanges(text: string): number[][] {
  return [...text.matchAll(MASK)].map((m) => [m.index, m.index + m[0].length]);
}
