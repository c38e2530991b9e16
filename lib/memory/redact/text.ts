/**
 * Small text measures the detectors share: match spans, entropy, character classes and sentence bounds.
 */

/** Start and end of a match, or of one of its capture groups (the pattern needs the `d` flag for that). */
export function spanOf(match: RegExpExecArray, group: number): [number, number] | undefined {
  if (group === 0) return [match.index, match.index + match[0].length];
  return match.indices?.[group];
}

/** Shannon entropy in bits per character. */
export function entropy(value: string): number {
  const counts = new Map<string, number>();
  for (const char of value) counts.set(char, (counts.get(char) ?? 0) + 1);
  const length = [...value].length;
  let bits = 0;
  for (const count of counts.values()) {
    const p = count / length;
    bits -= p * Math.log2(p);
  }
  return bits;
}

/** How many of lower case, upper case, digits and other characters `value` mixes. */
export function characterClasses(value: string): number {
  return [/[a-z]/, /[A-Z]/, /[0-9]/, /[^a-zA-Z0-9]/].filter((re) => re.test(value)).length;
}

/** Key material looks random: letters and digits mixed, not a word. */
export function looksRandom(value: string): boolean {
  return /[0-9]/.test(value) && /[A-Za-z]/.test(value) && entropy(value) >= 3;
}

const TERMINATOR = /[.!?…]/;
const SPACE = /\s/;

/** The sentence around `[start, end)`: back to the previous sentence end or line break, on to the next one. */
export function sentenceAround(text: string, start: number, end: number): [number, number] {
  let from = start;
  while (from > 0) {
    const before = text[from - 1];
    if (before === "\n" || (TERMINATOR.test(before) && SPACE.test(text[from]))) break;
    from--;
  }
  while (from < start && SPACE.test(text[from])) from++;
  let to = end;
  while (to < text.length && text[to] !== "\n") {
    if (TERMINATOR.test(text[to])) {
      while (to < text.length && TERMINATOR.test(text[to])) to++;
      if (to === text.length || SPACE.test(text[to])) break;
    } else {
      to++;
    }
  }
  while (to > end && SPACE.test(text[to - 1])) to--;
  return [from, to];
}
