/**
 * Judging generic assignments (`password = …`, `api_key: …`, `пароль: …`): which kind of secret the key
 * names, and whether the value is one.
 */
import type { FindingKind } from "./kinds.js";
import { IDENTIFIER, NOT_A_VALUE, REFERENCE } from "./secret-words.js";
import { characterClasses, entropy } from "./text.js";

/** The generic kind of an assignment from its key name (English or Russian). */
export function assignmentKind(key: string): FindingKind {
  const name = key.toLowerCase();
  if (/pass(?:word|wd|phrase|code)|pwd|парол|(?<![a-z])pass(?![a-z])/.test(name)) return "password";
  if (/api[_ -]?key|apikey|access[_-]?key|ключ/.test(name)) return "api-key";
  if (/token|токен/.test(name)) return "token";
  return "secret";
}

/** A generic assignment's value is a secret: passwords when not a plain word, the rest when high-entropy. */
export function secretValue(value: string, key: string): boolean {
  if (NOT_A_VALUE.test(value)) return false;
  // A password may well be a plain word (`DB_PASSWORD=SuperSecret`); only references are not values.
  if (assignmentKind(key) === "password") return !REFERENCE.test(value) && [...value].length >= 6;
  if (IDENTIFIER.test(value)) return false;
  return value.length >= 10 && characterClasses(value) >= 2 && entropy(value) >= 3;
}
