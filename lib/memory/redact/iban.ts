/**
 * IBANs: a country code, check digits and the account, of the country's length, passing ISO 13616 mod-97.
 */
import type { Span } from "./kinds.js";

/** IBAN length by country (SWIFT IBAN registry). */
const IBAN_LENGTH: ReadonlyMap<string, number> = new Map(
  (
    "AD24 AE23 AL28 AT20 AZ28 BA20 BE16 BG22 BH22 BI27 BR29 BY28 CH21 CR22 CY28 CZ24 DE22 DJ27 DK18 DO28 " +
    "EE20 EG29 ES24 FI18 FK18 FO18 FR27 GB22 GE22 GI23 GL18 GR27 GT28 HR21 HU28 IE22 IL23 IQ23 IS26 IT27 " +
    "JO30 KW30 KZ20 LB28 LC32 LI21 LT20 LU20 LV21 LY25 MC27 MD24 ME22 MK19 MN20 MR27 MT31 MU30 NI28 NL18 " +
    "NO15 OM23 PK24 PL28 PS29 PT25 QA29 RO24 RS22 RU33 SA24 SC31 SD18 SE24 SI19 SK24 SM27 SO23 ST25 SV28 " +
    "TL23 TN24 TR26 UA29 VA22 VG24 XK20 YE30"
  )
    .split(" ")
    .map((entry) => [entry.slice(0, 2), Number(entry.slice(2))]),
);

const IBAN_START = /(?<![\p{L}\p{N}_])([A-Za-z]{2})\d{2}(?= ?[A-Za-z0-9])/gu;

/** ISO 13616 / ISO 7064 mod 97-10: the rearranged IBAN, letters as 10–35, leaves remainder 1. */
export function ibanValid(iban: string): boolean {
  const rearranged = iban.slice(4) + iban.slice(0, 4);
  let remainder = 0;
  for (const char of rearranged) {
    const value = char >= "A" ? char.charCodeAt(0) - 55 : char.charCodeAt(0) - 48;
    remainder = (remainder * (value > 9 ? 100 : 10) + value) % 97;
  }
  return remainder === 1;
}

/** IBANs, with or without single spaces, of their country's length, that pass mod-97. */
export function ibans(text: string): Span[] {
  const spans: Span[] = [];
  for (const match of text.matchAll(IBAN_START)) {
    const length = IBAN_LENGTH.get(match[1].toUpperCase());
    if (!length) continue;
    // Lower case too (`de89 3704 …`): the country's length, mod-97 and a mostly numeric account decide.
    let compact = match[0].toUpperCase();
    let at = match.index + match[0].length;
    while (compact.length < length && at < text.length) {
      const char = text[at];
      if (/[A-Za-z0-9]/.test(char)) compact += char.toUpperCase();
      else if (!(char === " " && /[A-Za-z0-9]/.test(text[at + 1] ?? ""))) break;
      at++;
    }
    if (compact.length < length || /[\p{L}\p{N}_]/u.test(text[at] ?? "") || !ibanValid(compact)) continue;
    const account = compact.slice(4);
    if (account.replace(/\D/g, "").length < account.length * 0.6) continue;
    spans.push({ kind: "iban", start: match.index, end: at });
  }
  return spans;
}
