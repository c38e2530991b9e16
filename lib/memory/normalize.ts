/**
 * Views of a text for the redaction scanners, each with a map back to the original's UTF-16 offsets, so a
 * finding made on a view masks the right characters of the text the user wrote.
 *
 * - `normalView`: HTML entities decoded (`&#64;` → `@`), zero-width and other invisible format characters
 *   dropped, every code point NFKC-folded (full-width digits, ligatures, odd spaces), and words that mix
 *   Latin with Cyrillic or Greek letters folded to their majority script (`ignоre` with a Cyrillic `о`).
 * - `squashedView`: the normal view lower-cased with everything but letters dropped and common digit and
 *   symbol substitutions undone (`1gn0r3` → `ignore`), so `i g n o r e`, `ig-nore` and `1gn0r3` read the same;
 *   a sentence end stays as `|` so phrases do not run across sentences. One per script: Latin look-alikes
 *   folded to Latin for English phrases, to Cyrillic for Russian ones.
 */

/** A derived text and, per UTF-16 unit of it, the `[start, end)` in the original it came from. */
export interface TextView {
  text: string;
  starts: number[];
  ends: number[];
}

/** `[start, end)` in the view as a span of the original text. */
export function toOriginal(view: TextView, start: number, end: number): [number, number] {
  if (end <= start) return [view.starts[start] ?? 0, view.starts[start] ?? 0];
  return [view.starts[start], view.ends[end - 1]];
}

const NAMED_ENTITIES: Record<string, string> = {
  amp: "&",
  lt: "<",
  gt: ">",
  quot: '"',
  apos: "'",
  nbsp: " ",
  commat: "@",
  period: ".",
  colon: ":",
  sol: "/",
  lowbar: "_",
  hyphen: "-",
  dash: "-",
  plus: "+",
  equals: "=",
  num: "#",
  percnt: "%",
  excl: "!",
  quest: "?",
  lpar: "(",
  rpar: ")",
  lsqb: "[",
  rsqb: "]",
  shy: "",
  zwj: "",
  zwnj: "",
};

const ENTITY = /^&(?:#(\d{1,7})|#[xX]([0-9a-fA-F]{1,6})|([A-Za-z]{2,8}));/;

/** Invisible characters that only hide what is written: zero-width, joiners, soft hyphen, BOM, bidi marks. */
const INVISIBLE_RANGES: Array<[number, number]> = [
  [0xad, 0xad],
  [0x34f, 0x34f],
  [0x61c, 0x61c],
  [0x115f, 0x1160],
  [0x17b4, 0x17b5],
  [0x180b, 0x180e],
  [0x200b, 0x200f],
  [0x202a, 0x202e],
  [0x2060, 0x206f],
  [0x3164, 0x3164],
  [0xfe00, 0xfe0f],
  [0xfeff, 0xfeff],
  [0xffa0, 0xffa0],
];

/** Whether a string (one character, or what an entity decodes to) is invisible. */
function invisible(char: string): boolean {
  const cp = char.codePointAt(0) ?? -1;
  return char.length > 0 && INVISIBLE_RANGES.some(([from, to]) => cp >= from && cp <= to);
}

/** Cyrillic and Greek letters that look like Latin ones (lower case; upper case is lowered first). */
const TO_LATIN: Record<string, string> = {
  а: "a",
  в: "b",
  е: "e",
  ё: "e",
  к: "k",
  м: "m",
  н: "h",
  о: "o",
  р: "p",
  с: "c",
  т: "t",
  у: "y",
  х: "x",
  і: "i",
  ї: "i",
  ј: "j",
  ѕ: "s",
  ԁ: "d",
  ԛ: "q",
  ԝ: "w",
  ɡ: "g",
  α: "a",
  β: "b",
  ε: "e",
  ι: "i",
  κ: "k",
  ν: "v",
  ο: "o",
  ρ: "p",
  τ: "t",
  υ: "u",
  χ: "x",
};

/** Latin letters that look like Cyrillic ones. */
const TO_CYRILLIC: Record<string, string> = {
  a: "а",
  b: "в",
  e: "е",
  k: "к",
  m: "м",
  h: "н",
  o: "о",
  p: "р",
  c: "с",
  t: "т",
  y: "у",
  x: "х",
};

const LATIN = /\p{Script=Latin}/u;
const FOREIGN = /[\p{Script=Cyrillic}\p{Script=Greek}]/u;
const WORD = /[\p{L}\p{M}]+/gu;

/** Whether a character is uppercase (so a fold keeps its case). */
function upper(char: string): boolean {
  return char !== char.toLowerCase();
}

/** Folds the look-alike letters of words that mix Latin with Cyrillic or Greek into the word's majority script. */
function foldMixedWords(text: string): string {
  return text.replace(WORD, (word) => {
    let latin = 0;
    let foreign = 0;
    for (const char of word) {
      if (LATIN.test(char)) latin++;
      else if (FOREIGN.test(char)) foreign++;
    }
    if (latin === 0 || foreign === 0) return word;
    const table = latin >= foreign ? TO_LATIN : TO_CYRILLIC;
    // One UTF-16 unit for one: the offsets stay valid.
    return word.replace(/./gu, (char) => {
      const folded = table[char.toLowerCase()];
      if (!folded || folded.length !== char.length) return char;
      return upper(char) ? folded.toUpperCase() : folded;
    });
  });
}

/** The normal view (see the module comment); its text equals the original when nothing needed folding. */
export function normalView(text: string): TextView {
  let out = "";
  const starts: number[] = [];
  const ends: number[] = [];
  const emit = (piece: string, start: number, end: number) => {
    out += piece;
    for (let k = 0; k < piece.length; k++) {
      starts.push(start);
      ends.push(end);
    }
  };
  let i = 0;
  while (i < text.length) {
    if (text[i] === "&") {
      const entity = ENTITY.exec(text.slice(i, i + 12));
      if (entity) {
        const [whole, dec, hex, name] = entity;
        const code = dec ? Number(dec) : hex ? Number.parseInt(hex, 16) : undefined;
        const decoded =
          code !== undefined
            ? code <= 0x10ffff
              ? String.fromCodePoint(code)
              : undefined
            : NAMED_ENTITIES[name.toLowerCase()];
        if (decoded !== undefined) {
          const folded = invisible(decoded) ? "" : decoded.normalize("NFKC");
          emit(folded, i, i + whole.length);
          i += whole.length;
          continue;
        }
      }
    }
    const cp = text.codePointAt(i) as number;
    const char = String.fromCodePoint(cp);
    if (!invisible(char)) emit(char.normalize("NFKC"), i, i + char.length);
    i += char.length;
  }
  return { text: foldMixedWords(out), starts, ends };
}

/** Digits and symbols written for letters. */
const LEET_LATIN: Record<string, string> = {
  "0": "o",
  "1": "i",
  "3": "e",
  "4": "a",
  "5": "s",
  "7": "t",
  "@": "a",
  $: "s",
};
const LEET_CYRILLIC: Record<string, string> = { "0": "о", "3": "з", "4": "ч", "6": "б", "@": "а" };

const LETTER = /\p{L}/u;
const TERMINATOR = /[.!?…]/;

/**
 * The squashed view of a normal view, for one script (see the module comment). `skip` marks ranges of the
 * normal view to leave out (redaction masks), each becoming a `|` so nothing matches across it.
 */
export function squashedView(view: TextView, script: "latin" | "cyrillic", skip: number[][] = []): TextView {
  const fold = script === "latin" ? TO_LATIN : TO_CYRILLIC;
  const leet = script === "latin" ? LEET_LATIN : LEET_CYRILLIC;
  const source = view.text;
  let out = "";
  const starts: number[] = [];
  const ends: number[] = [];
  let mask = 0;
  for (let i = 0; i < source.length; i++) {
    while (mask < skip.length && skip[mask][1] <= i) mask++;
    let piece = "";
    if (mask < skip.length && skip[mask][0] <= i) {
      piece = out.endsWith("|") ? "" : "|";
    } else {
      const char = source[i];
      const lower = char.toLowerCase();
      if (LETTER.test(char)) piece = fold[lower]?.length === 1 ? fold[lower] : lower;
      else if (leet[char] && (LETTER.test(source[i - 1] ?? "") || LETTER.test(source[i + 1] ?? ""))) {
        piece = leet[char];
      } else if (TERMINATOR.test(char) && /\s/.test(source[i + 1] ?? " ")) piece = "|";
      else if (char === "\n") piece = "|";
    }
    if (piece.length !== 1) continue;
    out += piece;
    starts.push(view.starts[i]);
    ends.push(view.ends[i]);
  }
  return { text: out, starts, ends };
}
