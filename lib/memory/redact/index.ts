/**
 * Redaction for the RAW → REDACTED gate (Iskra §3.5.1): finds PII (e-mail, phone, payment cards that pass
 * the Luhn check, IBANs that pass ISO 13616 mod-97), secrets (API keys and tokens of known shapes, generic
 * high-entropy assignments, PEM private keys) and prompt-injection phrases (English and Russian), and
 * replaces each with a typed mask (`[EMAIL]`, `[SECRET:openai]`, …). Offsets are UTF-16 indices into the
 * original text. Masks are never detected again, so redacting twice changes nothing.
 *
 * Obfuscation is undone before scanning, on views mapped back to the original (see `normalize.ts`): HTML
 * entities, zero-width characters, NFKC forms (full-width digits), mixed-script look-alikes, letter-spaced,
 * hyphenated and leet phrases, `name [at] host [dot] com` addresses and base64-encoded injections. A
 * finding made on a view masks the whole stretch of the original it came from.
 *
 * One family per file: `secrets.ts` (with `secret-rules.ts`, `secret-words.ts`, `secret-values.ts`),
 * `private-keys.ts`, `email.ts`, `phone.ts` (libphonenumber-js; `phone-national.ts`), `cards.ts`,
 * `iban.ts` (ibantools), `injection.ts` (`injection-patterns.ts`); `scan.ts` runs them and `spans.ts`
 * merges and masks.
 */

export { luhnValid } from "./cards.js";
export { ibanValid } from "./iban.js";
export { categoryOf, type Finding, type FindingCategory, type FindingKind, maskFor } from "./kinds.js";
export { redact, scanText } from "./scan.js";
