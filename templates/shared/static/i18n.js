// destek's shared front-end library: words. Every text shown comes from the app's strings
// file (templates/{console,site}/strings/{tr,en}.json), embedded in its page; the API gives
// only codes, and its English `message` is never shown.

/** say(key, values) over one strings object: the key's words with {name} filled in, or the
 *  key itself when it has none (tests/unit/test_i18n.py fails on a missing one). */
export function sayer(strings) {
  return (key, values = {}) =>
    (strings[key] || key).replace(/\{(\w+)\}/g, (_, name) => String(values[name] ?? ""));
}

/** What an HTTP status means when the API's error code has no words of its own. */
export const STATUS_ERRORS = { 400: "bad_request", 401: "unauthenticated", 403: "forbidden", 404: "not_found",
  409: "conflict", 413: "payload_too_large", 422: "invalid_input", 429: "rate_limited" };

/** The strings key that says an API refusal: its code's (`error_<code>`), else its status's,
 *  else `error_generic`. */
export function refusalKey(strings, error) {
  const code = [error.code, STATUS_ERRORS[error.status]].find((c) => c && strings[`error_${c}`]);
  return code ? `error_${code}` : "error_generic";
}

/** The strings key of a 422's field problem (`details[].type`, pydantic's error type). */
export function problemKey(strings, type) {
  return strings[`problem_${type}`] ? `problem_${type}` : "problem_generic";
}
