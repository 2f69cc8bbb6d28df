/**
 * The Belgian national register number (SSIN, INSZ/NISS): YYMMDD, a 3-digit serial (odd for men,
 * even for women) and two check digits, 97 − (the first nine digits mod 97). For people born in
 * 2000 or later the nine digits are prefixed with a `2` before taking the modulus, which is how
 * the register tells 1901 from 2001 without spending a digit.
 */

/** True when `ssin` is 11 digits whose check digits are right for a birth in the 1900s or 2000s. */
export function isValidSsin(ssin: string): boolean {
  if (!/^\d{11}$/.test(ssin)) return false
  const body = ssin.slice(0, 9)
  const check = Number(ssin.slice(9))
  return checkDigits(body) === check || checkDigits(`2${body}`) === check
}

/** The two check digits for the first nine digits of an SSIN (`bornIn2000s` adds the `2` prefix). */
export function computeSsinCheckDigits(firstNine: string, bornIn2000s: boolean): string {
  if (!/^\d{9}$/.test(firstNine)) throw new Error('an SSIN starts with 9 digits')
  return String(checkDigits(bornIn2000s ? `2${firstNine}` : firstNine)).padStart(2, '0')
}

function checkDigits(digits: string): number {
  return 97 - (Number(digits) % 97)
}
