// destek's shared front-end library: dates and numbers in the reader's locale (tr-TR, or
// en-GB for English), times on Istanbul's clock whatever the browser's zone.

export const ZONE = "Europe/Istanbul";

/** The Intl locale of a page language ("tr" or "en"). */
export const localeOf = (lang) => (lang === "en" ? "en-GB" : "tr-TR");

/** An ISO date (`2026-12-03`, a day on the calendar) or instant as a Date. */
const parse = (iso) => new Date(iso.length === 10 ? `${iso}T00:00:00` : iso);

/** An instant as date and time on Istanbul's clock: "3 Ara 2026 10:15". */
export function dateTime(iso, lang) {
  if (!iso) return "";
  return new Intl.DateTimeFormat(localeOf(lang), { dateStyle: "medium", timeStyle: "short", timeZone: ZONE })
    .format(parse(iso));
}

/** A day in words: "3 Aralık 2026". */
export function longDate(iso, lang) {
  if (!iso) return "";
  return new Intl.DateTimeFormat(localeOf(lang), { dateStyle: "long" }).format(parse(iso));
}

/** A number with the locale's separators (1.234,5 in Turkish); options as Intl.NumberFormat's. */
export function number(value, lang, options = {}) {
  return new Intl.NumberFormat(localeOf(lang), options).format(Number(value));
}

/** An amount of money in the reader's locale with its currency's sign: money("2159.70", "TRY",
 *  "tr") is "₺2.159,70", in English "₺2,159.70". `amount`: a number or a decimal string (the
 *  API's); `currency`: an ISO 4217 code. A code Intl does not know is shown as "2159.70 XYZ". */
export function money(amount, currency, lang) {
  try {
    return new Intl.NumberFormat(localeOf(lang), { style: "currency", currency }).format(Number(amount));
  } catch {
    return `${amount} ${currency}`; // RangeError: not a currency code
  }
}

/** A decimal typed by a person as a number: "0,8" and "0.8" are both 0.8 (either separator,
 *  no thousands grouping: for small values such as a share or a confidence). NaN when it is
 *  not a number; a form's `pattern` keeps that from being sent. */
export function parseDecimal(text) {
  const plain = String(text).trim().replace(",", ".");
  return /^[-+]?(\d+\.?\d*|\.\d+)$/.test(plain) ? Number(plain) : NaN;
}
