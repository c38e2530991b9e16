/**
 * Word lists and shapes that tell a real secret from the stand-in word a template puts in its slot
 * (`password: required`) or from a reference to one (`password: $DB_PASSWORD`).
 */

/**
 * Words that fill a secret's slot in documentation and config templates without being a secret
 * (`password: required`, `пароль: не указан`). One of them, alone, as the value of an assignment is not
 * masked; `xxx…` and `***…` runs count too.
 */
export const TEMPLATE_WORDS = [
  "null",
  "none",
  "nil",
  "undefined",
  "true",
  "false",
  "string",
  "number",
  "default",
  "example",
  "required",
  "optional",
  "mandatory",
  "changeme",
  "redacted",
  "secret",
  "password",
  "hidden",
  "masked",
  "empty",
  "blank",
  "unset",
  // The literal word templates write in a secret's slot (`api_key: placeholder`); redact.test.ts pins it.
  "placeholder",
  "forgotten",
  "reset",
  "expired",
  "invalid",
  "incorrect",
  "missing",
  "enabled",
  "disabled",
  "encrypted",
  "hashed",
  "xxx+",
  "\\*+",
  "обязательн\\p{L}*",
  "скрыт\\p{L}*",
  "пуст\\p{L}*",
  "не",
  "нет",
  "любой",
  "любая",
  "указан\\p{L}*",
  "задан\\p{L}*",
];
/** A value that is not a secret: one of `TEMPLATE_WORDS`, or a reference opening with `[ < { $ % * . … «`. */
export const NOT_A_VALUE = new RegExp(`^(?:[[<{$%*.…«]|(?:${TEMPLATE_WORDS.join("|")})$)`, "iu");
/** A (dotted) identifier with no digits: `config.apiKey`, `getToken`, `DB_PASSWORD`. */
export const IDENTIFIER = /^[A-Za-z_]+(?:\.[A-Za-z_]+)*(?:\(\))?$/;
/** A reference rather than a value: dotted or called (`config.password`, `getPassword()`), or an env name (`DB_PASSWORD`). */
export const REFERENCE =
  /^(?:[A-Za-z_]+(?:\.[A-Za-z_]+)+(?:\(\))?|[A-Za-z_]+\(\)|[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)$/;
