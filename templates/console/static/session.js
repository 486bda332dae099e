// The console's session: staff sign-in with Cognito (and the first sign-in's new password),
// the token kept in the tab (sessionStorage), and the API wrapper every screen calls with it.
// What it needs of the frame (console.js) it receives once through wire(ui), never by
// importing console.js.

import { $, el } from "./shared/dom.js";
import { problemKey, refusalKey } from "./shared/i18n.js";
import { ApiError, fetchJson } from "./shared/api.js";

export const SESSION_KEY = "destek.console";

let CONFIG, T, API, say, field, notice, problem, showSignIn, fieldName;

/** Takes the frame's config and helpers: { config, strings, apiRoot, say, field, notice,
 *  problem, showSignIn, fieldName }. Called once, before any screen is drawn. */
export function wire(ui) {
  ({ config: CONFIG, strings: T, apiRoot: API, say, field, notice, problem, showSignIn, fieldName } = ui);
}

export function session() {
  try { return JSON.parse(sessionStorage.getItem(SESSION_KEY)) || null; } catch { return null; }
}

async function cognito(action, body) {
  const response = await fetch(CONFIG.cognitoEndpoint, {
    method: "POST",
    headers: {
      "Content-Type": "application/x-amz-json-1.1",
      "X-Amz-Target": `AWSCognitoIdentityProviderService.${action}`,
    },
    body: JSON.stringify(body),
  });
  const data = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(data.message || data.__type || say("signin_failed"));
  return data;
}

export async function signIn(username, password) {
  const result = await cognito("InitiateAuth", {
    AuthFlow: "USER_PASSWORD_AUTH", ClientId: CONFIG.clientId,
    AuthParameters: { USERNAME: username, PASSWORD: password },
  });
  if (result.ChallengeName === "NEW_PASSWORD_REQUIRED") {
    await firstPassword(username, result.Session);
    return;
  }
  keepSession(result.AuthenticationResult);
}

function keepSession(auth) {
  sessionStorage.setItem(SESSION_KEY, JSON.stringify({ idToken: auth.IdToken }));
}

// ---- first sign-in: the temporary password from the invitation becomes the person's own ----

/** Shows the new-password form and settles once Cognito took a new password (or refused). */
function firstPassword(username, cognitoSession) {
  // built only when asked for, so the sign-in form is the page's only password form
  const input = (name) => el("input", { name, type: "password", autocomplete: "new-password", required: true,
    minlength: 10, "aria-describedby": "new-password-rules" });
  const form = el("form", { id: "new-password-form", novalidate: true },
    field(say("new_password"), input("new_password")),
    field(say("new_password_again"), input("new_password_again")),
    el("p", { id: "new-password-rules", class: "hint", text: say("new_password_rules") }),
    el("button", { type: "submit", text: say("new_password_save") }));
  $("#signin").append(form);
  $("#signin-form").hidden = true;
  notice(say("new_password_needed"));
  form.new_password.focus();
  return new Promise((resolve) => {
    const submit = async (event) => {
      event.preventDefault();
      const chosen = form.new_password.value;
      if (chosen !== form.new_password_again.value) { problem(say("new_password_mismatch")); return; }
      try {
        const result = await cognito("RespondToAuthChallenge", {
          ChallengeName: "NEW_PASSWORD_REQUIRED", ClientId: CONFIG.clientId, Session: cognitoSession,
          ChallengeResponses: { USERNAME: username, NEW_PASSWORD: chosen },
        });
        form.remove();
        $("#signin-form").hidden = false;
        keepSession(result.AuthenticationResult);
        notice(say("new_password_set"));
        resolve();
      } catch {
        problem(say("new_password_refused"));
      }
    };
    form.addEventListener("submit", submit);
  });
}

function signedOut() {
  sessionStorage.removeItem(SESSION_KEY);
  showSignIn(say("session_over"));
}

export async function api(method, path, body) {
  const current = session();
  return fetchJson(API + path, { method, body, token: current && current.idToken, onUnauthorized: signedOut });
}

/** A file from the API (a report's CSV or XLSX) as a Blob; refusals as api() throws them. */
export async function apiFile(path, accept) {
  const current = session();
  const response = await fetch(API + path, {
    headers: { Accept: accept, ...(current ? { Authorization: `Bearer ${current.idToken}` } : {}) },
  });
  if (response.ok) return response.blob();
  const data = await response.json().catch(() => null);
  if (response.status === 401) signedOut();
  throw new ApiError(response.status, (data && data.error) || {});
}

/** A lifecycle refusal (409 illegal_transition) names the statuses the case may move to
 *  (`details.allowed`), so the agent knows the step before the one refused. */
function nextStatuses(error) {
  const allowed = error.code === "illegal_transition" && error.details && error.details.allowed;
  if (!Array.isArray(allowed)) return [];
  return [allowed.length ? say("transition_allowed", { statuses: allowed.map((s) => say(`status_${s}`)).join(", ") })
    : say("transition_none")];
}

/** An API refusal in the reader's words: the error code's string (strings/*.json), else the
 *  status's, else a generic one; never the API's own (English) message. A 422's fields are
 *  named with their problem (`details[].type`, pydantic's error type). */
export function explain(error) {
  if (error instanceof ApiError) {
    const problems = (Array.isArray(error.details) ? error.details : []).filter((d) => d && d.field)
      .map((d) => say("error_fields", { field: fieldName(d.field), problem: say(problemKey(T, d.type)) }));
    return [say(refusalKey(T, error)), ...problems, ...nextStatuses(error)].join(" · ");
  }
  if (error instanceof Error && !(error instanceof TypeError) && error.message) return error.message;
  return say("network_error");
}
