/**
 * NIHII (RIZIV/INAMI) numbers. Organizations use 8 digits (the R2024.1 STS announcement's example
 * hospital: 71089914), care providers 11: the same 8 plus a 3-digit qualification code. The 8
 * digits are 6 plus two check digits, 97 − (the 6 digits mod 97); that 71089914 satisfies it
 * (710899 mod 97 = 83).
 */

/** True for 8 or 11 digits whose first 8 carry valid check digits. */
export function isValidNihii(nihii: string): boolean {
  if (!/^\d{8}(?:\d{3})?$/.test(nihii)) return false
  return computeNihiiCheckDigits(nihii.slice(0, 6)) === nihii.slice(6, 8)
}

/** The two check digits that follow the first six digits of a NIHII number. */
export function computeNihiiCheckDigits(firstSix: string): string {
  if (!/^\d{6}$/.test(firstSix)) throw new Error('a NIHII number starts with 6 digits')
  return String(97 - (Number(firstSix) % 97)).padStart(2, '0')
}
