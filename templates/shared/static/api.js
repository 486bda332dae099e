// destek's shared front-end library: calling the API. JSON in and out; a refusal is thrown
// as an ApiError carrying the API's error code, status and field details, which the app
// says in the reader's words (i18n.js refusalKey), never with the API's English message.

export class ApiError extends Error {
  /** `localized`: the message is the app's own, in the reader's words (an API's never is). */
  constructor(status, error, localized = false) {
    super(error?.message || `HTTP ${status}`);
    this.status = status;
    this.code = error?.code;
    this.details = error?.details;
    this.localized = localized;
  }
}

/** `method url` with a JSON body and a bearer token, if given; the answer's JSON (null for a
 *  204). A 401 calls onUnauthorized (the app forgets its session) before the ApiError is
 *  thrown; a network failure is fetch's own TypeError, for the app to say. */
export async function fetchJson(url, { method = "GET", body, token, onUnauthorized } = {}) {
  const headers = { "Content-Type": "application/json" };
  if (token) headers.Authorization = `Bearer ${token}`;
  const response = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const data = response.status === 204 ? null : await response.json().catch(() => null);
  if (response.status === 401 && onUnauthorized) onUnauthorized();
  if (!response.ok) throw new ApiError(response.status, data?.error || {});
  return data;
}
