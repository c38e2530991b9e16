/**
 * The redaction gate's own check, built apart from the scanner it checks (`redact.ts` is not imported), so
 * a scanner bug cannot pass its own output. It canonicalises text its own way (HTML entities, NFKC,
 * invisible characters, case), looks for sensitive values with its own, simpler patterns — e-mail shapes,
 * Luhn runs, mod-97 IBANs, `+`-prefixed and grouped phone numbers, key prefixes and `password:`-style
 * assignments, injection keywords on a letters-only skeleton (and inside base64) — and then checks that none
 * of the values it found in the RAW original, nor any value the caller names (the scanner's findings), is
 * still present in the copy.
 */

const ENTITIES: Record<string, string> = {
  amp: "&",
  lt: "<",
  gt: ">",
  quot: '"',
  apos: "'",
  nbsp: " ",
  commat: "@",
  period: ".",
};
/** Zero-width, joiners, soft hyphen, bidi marks, BOM (by code point: a regex class would mix in combining marks). */
function visible(text: string): string {
  return [...text]
    .filter((c) => {
      const cp = c.codePointAt(0) as number;
      return !(
        cp === 0xad ||
        cp === 0x34f ||
        cp === 0x180e ||
        (cp >= 0x200b && cp <= 0x200f) ||
        (cp >= 0x202a && cp <= 0x202e) ||
        (cp >= 0x2060 && cp <= 0x206f) ||
        cp === 0xfeff
      );
    })
    .join("");
}
const MASKS = /\[(?:EMAIL|PHONE|CARD|IBAN|PRIVATE_KEY|INJECTION|SECRET:[a-z-]+)\]/g;

/** Entities decoded, NFKC, invisible characters gone, masks turned into a break. */
function canonical(text: string): string {
  const decoded = text
    .replace(MASKS, " \u0000 ")
    .replace(/&#[xX]([0-9a-fA-F]{1,6});|&#(\d{1,7});|&([a-zA-Z]{2,6});/g, (whole, hex, dec, name) => {
      const code = hex ? Number.parseInt(hex, 16) : dec ? Number(dec) : undefined;
      if (code !== undefined) return code <= 0x10ffff ? String.fromCodePoint(code) : whole;
      return ENTITIES[name.toLowerCase()] ?? whole;
    })
    .normalize("NFKC");
  return visible(decoded);
}

interface Value {
  kind: string;
  value: string;
}

// ------------------------------------------------------------------------------------------------------
// Detector B

const MAIL =
  /[\p{L}\p{N}._%+-]+\s*(?:@|[[({<]\s*(?:at|@|собака)\s*[\])}>]|\sсобака\s)\s*[\p{L}\p{N}-]+(?:\s*(?:\.|[[({<]\s*(?:dot|\.|точка)\s*[\])}>]|\s(?:dot|точка)\s)\s*[\p{L}\p{N}-]+)+/giu;

function luhn(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  }
  return sum % 10 === 0;
}

function mod97(iban: string): boolean {
  const moved = (iban.slice(4) + iban.slice(0, 4)).toUpperCase();
  let rest = 0;
  for (const c of moved) {
    const v = Number.parseInt(c, 36);
    rest = (rest * (v > 9 ? 100 : 10) + v) % 97;
  }
  return rest === 1;
}

const DIGIT_RUN = /(?<![\p{L}\p{N}])\d(?:[ .-]?\d){12,18}(?![\p{L}\p{N}])/gu;
const IBAN_RUN = /(?<![\p{L}\p{N}])[A-Za-z]{2}\d{2}(?: ?[A-Za-z0-9]{1,4}){3,8}(?![\p{L}\p{N}])/gu;
const PHONES = [
  /\+\s?\d(?:[\s().-]{0,2}\d){8,14}/g,
  /(?<![\d.])\(?\d{3}\)?[\s.-]\d{3}[\s.-]\d{2}[\s.-]?\d{2}(?![\d.])/g,
];
const KEYS =
  /(?<![\p{L}\d])(?:sk-[A-Za-z0-9_-]{16,}|[sr]k_(?:live|test)_[A-Za-z0-9]{12,}|gh[pousr]_[A-Za-z0-9]{30,}|github_pat_\w{20,}|xox[abprs]-[A-Za-z0-9-]{8,}|A[KS]IA[A-Z0-9]{16}|AIza[\w-]{30,}|eyJ[\w-]{5,}\.eyJ[\w-]{5,}\.[\w-]*|-----BEGIN [A-Z ]*PRIVATE KEY-----)/gu;
const ASSIGNED =
  /(?<!\p{L})(?:pass(?:word|wd|phrase)?|pwd|secret|token|api[_ -]?key|bearer|пароль|токен|ключ(?:\s+api)?)["']?\s*(?:[:=]|=>|—|–)\s*["'«`]?([^\s"'»`,;]{6,})/giu;
const SAID = /(?:password|пароль)\s+(?:is|это)\s+["'«]?([^\s"'»,;]{6,})/giu;
const PLACEHOLDER =
  /^(?:[[<{$%*.…]|(?:required|optional|mandatory|string|number|null|none|undefined|true|false|changeme|hidden|empty|default|обязательн\p{L}*|скрыт\p{L}*|пуст\p{L}*)$)|^[A-Za-z_]+(?:\.[A-Za-z_]+)+(?:\(\))?$|\(\)$|^[A-Z]+(?:_[A-Z]+)+$/iu;

const LEET: Record<string, string> = {
  "0": "o",
  "1": "i",
  "3": "e",
  "4": "a",
  "5": "s",
  "7": "t",
  "@": "a",
  $: "s",
};
const LOOKALIKE: Record<string, string> = {
  а: "a",
  е: "e",
  о: "o",
  р: "p",
  с: "c",
  у: "y",
  х: "x",
  і: "i",
  к: "k",
  м: "m",
  т: "t",
  ο: "o",
  ι: "i",
  α: "a",
  ε: "e",
};
const CYRILLIC_FOR: Record<string, string> = {
  a: "а",
  e: "е",
  o: "о",
  p: "р",
  c: "с",
  y: "у",
  x: "х",
  k: "к",
  m: "м",
  t: "т",
  h: "н",
  b: "в",
};

/** Letters only, lower case, leet undone, look-alikes folded to one script: `I g-n 0 r e` → `ignore`. */
function skeleton(sentence: string, script: "latin" | "cyrillic"): string {
  let out = "";
  for (const char of sentence.toLowerCase()) {
    if (/\p{L}/u.test(char))
      out += script === "latin" ? (LOOKALIKE[char] ?? char) : (CYRILLIC_FOR[char] ?? char);
    else if (script === "latin" && LEET[char]) out += LEET[char];
    else if (script === "cyrillic" && char === "0") out += "о";
  }
  return out;
}

const INJECTION_LATIN = [
  /(?:ignore|disregard|forget|bypass|override|paynoattention).{0,40}?(?:instruction|prompt|directive)/,
  /(?:ignore|disregard|forget)(?:all|everything)?(?:the)?above/,
  /forget(?:everything|all)you/,
  /youarenow(?:dan|jailbroken|unrestricted|unfiltered)/,
  /developermode(?:enabled|activated)/,
  /(?:reveal|show|print|display|whatis|whatare|tellme).{0,20}?(?:systemprompt|hiddeninstructions|yourinstructions)/,
  /imstartsystem|sysys|actasdan/,
];
const INJECTION_CYRILLIC = [
  /(?:забуд|игнорир|отбрось|необращайвнимания|неслушай).{0,40}?(?:инструкц|указани|правил|промп?т|ограничени|сказано)/,
  /(?:тытеперь|теперьты).{0,30}?(?:безограничений|безправил|дан)/,
  /(?:включи|активируй)\p{L}{0,3}режим\p{L}{0,3}разработчика/u,
  /(?:покажи|раскрой|выведи|какой).{0,20}?системн\p{L}{0,3}промп?т/u,
];

function injectionIn(sentence: string): boolean {
  const latin = skeleton(sentence, "latin");
  const cyrillic = skeleton(sentence, "cyrillic");
  return INJECTION_LATIN.some((p) => p.test(latin)) || INJECTION_CYRILLIC.some((p) => p.test(cyrillic));
}

const B64 = /[A-Za-z0-9+/_-]{16,}={0,2}/g;

/** Readable text hidden in base64 runs. */
function decodedRuns(text: string): string[] {
  const out: string[] = [];
  for (const [run] of text.matchAll(B64)) {
    try {
      const decoded = new TextDecoder("utf-8", { fatal: true }).decode(Buffer.from(run, "base64"));
      if (/\s/.test(decoded) && /\p{L}{3}/u.test(decoded)) out.push(decoded);
    } catch {
      // not text
    }
  }
  return out;
}

/** Sensitive values detector B finds in `text` (canonical). */
function findValues(text: string): Value[] {
  const out: Value[] = [];
  for (const [mail] of text.matchAll(MAIL)) {
    if (/[@]|собака|[[({<]/iu.test(mail) && /\p{L}/u.test(mail.split(/@|собака|[[({<]/iu).at(-1) ?? "")) {
      out.push({ kind: "email", value: mail });
    }
  }
  for (const [run] of text.matchAll(DIGIT_RUN)) {
    const digits = run.replace(/\D/g, "");
    if (luhn(digits) && /^[2-6]/.test(digits) && !/^(\d)\1+$/.test(digits))
      out.push({ kind: "card", value: digits });
  }
  for (const [run] of text.matchAll(IBAN_RUN)) {
    // Try each group end: the run may have taken a word after the IBAN.
    const groups = run.split(" ");
    for (let n = groups.length; n >= 1; n--) {
      const compact = groups.slice(0, n).join("");
      const account = compact.slice(4);
      if (compact.length < 15 || compact.length > 34) continue;
      if (account.replace(/\D/g, "").length >= account.length * 0.6 && mod97(compact)) {
        out.push({ kind: "iban", value: compact });
        break;
      }
    }
  }
  for (const pattern of PHONES) {
    for (const [phone] of text.matchAll(pattern)) {
      const digits = phone.replace(/\D/g, "");
      if (digits.length >= 10) out.push({ kind: "phone", value: digits });
    }
  }
  for (const [key] of text.matchAll(KEYS)) out.push({ kind: "secret", value: key });
  for (const pattern of [ASSIGNED, SAID]) {
    for (const match of text.matchAll(pattern)) {
      const value = match[1];
      if (PLACEHOLDER.test(value)) continue;
      if (pattern === SAID && !(/\d/.test(value) && /\p{L}/u.test(value))) continue;
      out.push({ kind: "secret", value });
    }
  }
  for (const sentence of text.split(/(?<=[.!?…])\s+|\n/)) {
    if (injectionIn(sentence) || decodedRuns(sentence).some(injectionIn)) {
      out.push({ kind: "injection", value: sentence });
    }
  }
  return out;
}

// ------------------------------------------------------------------------------------------------------
// Presence in the copy

function compact(text: string): string {
  return text.toLowerCase().replace(/\s+/g, "");
}

/** Whether `value` survives in the (canonical) copy: digits by digit runs, the rest by compact text. */
function survives(value: string, runs: string[], flat: string): boolean {
  const digits = value.replace(/\D/g, "");
  const numeric = digits.length >= 7 && digits.length >= compact(value).length * 0.5;
  if (numeric && runs.some((r) => r.includes(digits))) return true;
  const needle = compact(value);
  return needle.length >= 4 && flat.includes(needle);
}

/**
 * Why `copy` cannot be the redacted form of `original`: every sensitive value detector B finds in the copy,
 * and every value it (or the caller, with `known`: the scanner's findings) finds in the original that the
 * copy still holds. Empty when the copy is clean.
 */
export function residualCheck(
  original: string,
  copy: string,
  known: Array<{ kind: string; value: string }> = [],
): string[] {
  const raw = canonical(original);
  const out = canonical(copy);
  const runs = [...out.matchAll(/\d(?:[\s()./-]{0,3}\d)*/g)].map((m) => m[0].replace(/\D/g, ""));
  const flat = compact(out);
  const reasons = new Set<string>();
  for (const { kind } of findValues(out)) reasons.add(`still holds ${kind}`);
  for (const { kind, value } of [
    ...findValues(raw),
    ...known.map((k) => ({ ...k, value: canonical(k.value) })),
  ]) {
    if (survives(value, runs, flat)) reasons.add(`still holds ${kind} from the original`);
  }
  return [...reasons];
}
