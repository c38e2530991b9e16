/**
 * National phone numbers (no `+`): where `libphonenumber-js` cannot help, because reading a national
 * number needs its country and the texts mix US (`555-123-4567`), UK (`020 7946 0958`), Russian
 * (`8 800 555 35 35`) and bare local numbers (`123-45-67`); with any one default country the library misses
 * the others. So candidates are found by shape here, and the rules below tell a phone from a date, year,
 * version, amount, range or ISBN.
 */

/**
 * National groups joined by single spaces, dots or dashes, with an optional area code in parentheses; not
 * glued to letters, digits, a `+` or a longer number on either side.
 */
export const NATIONAL_PHONE =
  /(?<![\p{L}\p{N}_+./#-]|\d:|\d[ .-])(?:\(\d{1,5}\)[ .-]?\d{1,12}|\d{1,12})(?:[ .-]?\(\d{1,5}\)[ .-]?\d{1,12}|[ .-]\d{1,12}){0,7}(?![\p{L}\p{N}_]|[./:-]\d| \d)/gu;

/** Words right before a number that say what it is when it is not a phone: ISBN 978-…, build 10.0.19045. */
export const NOT_A_PHONE_BEFORE =
  /(?:isbn(?:-1[03])?|issn|doi|build|builds|version|ver|release|revision|rev|firmware|patch|invoice|order|ticket|ref|reference|case|сборк\p{L}*|верси\p{L}*|релиз\p{L}*|ревизи\p{L}*|артикул\p{L}*|заказ\p{L}*|сч[её]т\p{L}*|накладн\p{L}*)\s*(?:no\.?|number|№|#)?\s*[:#№]?\s*$/iu;

/** A calendar date written with `-`, `.` or spaces: `2024-05-17`, `17.05.2024`, `05-17-2024`. */
function isDate(candidate: string): boolean {
  const ymd = candidate.match(/^(\d{4})[-. ](\d{1,2})[-. ](\d{1,2})$/);
  if (ymd) return +ymd[2] >= 1 && +ymd[2] <= 12 && +ymd[3] >= 1 && +ymd[3] <= 31;
  const dmy = candidate.match(/^(\d{1,2})[-. ](\d{1,2})[-. ](\d{4})$/);
  if (!dmy) return false;
  const [a, b] = [+dmy[1], +dmy[2]];
  return a >= 1 && b >= 1 && ((a <= 31 && b <= 12) || (a <= 12 && b <= 31));
}

/** Whether a national candidate is a phone number rather than a date, year, version, amount or range. */
function hasPhoneShape(candidate: string): boolean {
  const digits = candidate.replace(/\D/g, "");
  if (digits.length < 7 || digits.length > 15) return false;
  const separators = new Set(candidate.match(/[ .-]/g) ?? []);
  const parens = candidate.includes("(");
  if (!parens && separators.size === 0) return false; // a bare run of digits is an id, not a phone
  if (isDate(candidate)) return false;
  const groups = candidate.split(/\D+/).filter(Boolean);
  if (groups.every((g) => g.length === 4 && +g >= 1800 && +g <= 2199)) return false; // years: 2020-2024
  // A range (1000-2000) or a number in thousands (10 000 000, 1.000.000).
  const [first, ...rest] = groups;
  const range =
    groups.length === 2 && separators.has("-") && first.length === rest[0].length && +first < +rest[0];
  const thousands = !parens && !separators.has("-") && first.length <= 3 && rest.every((g) => g.length === 3);
  if (range || thousands) return false;
  if (separators.has(".")) {
    // Dotted phones use dots only and have a long group; otherwise a version, an IP or decimals.
    return !parens && separators.size === 1 && groups.length >= 3 && groups.some((g) => g.length >= 4);
  }
  if (!parens && !separators.has("-")) {
    // Spaces only: a trunk prefix (0…, 8 800…, 1 800…) or the North American 3-3-4 shape.
    return (
      first.startsWith("0") ||
      (/^[18]$/.test(first) && rest[0]?.length === 3) ||
      groups.map((g) => g.length).join("-") === "3-3-4"
    );
  }
  return true;
}

/** ISBN-13 (978/979) check digit, hyphenated or not. */
function isbn13(candidate: string): boolean {
  const digits = candidate.replace(/\D/g, "");
  if (digits.length !== 13 || !/^97[89]/.test(digits)) return false;
  let sum = 0;
  for (let i = 0; i < 13; i++) sum += (digits.charCodeAt(i) - 48) * (i % 2 ? 3 : 1);
  return sum % 10 === 0;
}

/** A dotted version or build number: four or more groups with a short first one (10.0.19045.3803). */
function isVersion(candidate: string): boolean {
  const groups = candidate.split(".");
  return groups.length >= 4 && /^[1-9]\d?$/.test(groups[0]) && !/^1$/.test(groups[0]);
}

/** Whether a national candidate is a phone: its shape, and neither an ISBN nor a version number. */
export function isNationalPhone(candidate: string): boolean {
  return hasPhoneShape(candidate) && !isbn13(candidate) && !isVersion(candidate);
}
