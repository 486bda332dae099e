// destek self-service site: plain ES module, no build step, no dependencies.
// Every piece of text from the API or the user reaches the page through textContent
// and never as HTML, so nothing a customer or an agent types can run in the page.

// the library the site shares with the console (templates/shared/static/, docs/console-and-site.md)
import { $, el } from "./shared/dom.js";
import { problemKey, refusalKey, sayer } from "./shared/i18n.js";
import { dateTime, longDate, money as formatMoney } from "./shared/format.js";
import { ApiError, fetchJson } from "./shared/api.js";

const CONFIG = window.DESTEK_CONFIG;
const T = JSON.parse(document.getElementById("strings").textContent);
const LANG = document.documentElement.lang;
const SESSION_KEY = "destek.session";
const MAX_BYTES = 10 * 1024 * 1024;
const FILE_TYPES = {
  "image/jpeg": [".jpg", ".jpeg"], "image/png": [".png"], "image/gif": [".gif"],
  "image/webp": [".webp"], "image/heic": [".heic"], "application/pdf": [".pdf"],
  "text/plain": [".txt"], "video/mp4": [".mp4"],
};

// ---- small helpers -------------------------------------------------------------------

const say = sayer(T);
const params = new URLSearchParams(location.search);

/** A day in words ("3 Aralık 2026"), or with withTime the moment on Istanbul's clock. */
function formatDate(iso, withTime = false) {
  return withTime ? dateTime(iso, LANG) : longDate(iso, LANG);
}

function notice(message) {
  const box = $("#notice");
  box.textContent = message;
  box.hidden = !message;
  if (message) $("#problem").hidden = true;
}

function problem(message) {
  const box = $("#problem");
  box.textContent = message;
  box.hidden = !message;
  if (message) {
    $("#notice").hidden = true;
    box.scrollIntoView({ block: "nearest" });
  }
}

function clearFieldErrors(form) {
  for (const error of form.querySelectorAll(".field-error")) {
    error.hidden = true;
    error.textContent = "";
  }
  for (const input of form.querySelectorAll("[aria-invalid]")) input.removeAttribute("aria-invalid");
}

function fieldError(form, name, message) {
  const input = form.querySelector(`[name="${name}"]`);
  const error = form.querySelector(`#${CSS.escape(name)}-error`);
  if (!input || !error) return false;
  input.setAttribute("aria-invalid", "true");
  const described = new Set((input.getAttribute("aria-describedby") || "").split(" ").filter(Boolean));
  described.add(error.id);
  input.setAttribute("aria-describedby", [...described].join(" "));
  error.textContent = message;
  error.hidden = false;
  return true;
}

/** Checks the browser's own constraints, marks each broken field, focuses the first. */
function valid(form) {
  clearFieldErrors(form);
  let first = null;
  for (const input of form.querySelectorAll("input, select, textarea")) {
    if (input.checkValidity()) continue;
    fieldError(form, input.name, input.validationMessage);
    first = first || input;
  }
  if (first) {
    problem(say("error_invalid"));
    first.focus();
  }
  return !first;
}

async function busy(form, work) {
  const button = form.querySelector("button[type=submit]") || form;
  button.disabled = true;
  form.setAttribute("aria-busy", "true");
  try {
    return await work();
  } catch (error) {
    report(error, form);
  } finally {
    button.disabled = false;
    form.removeAttribute("aria-busy");
  }
}

// ---- Cognito, spoken to directly over its JSON API -----------------------------------------

class CognitoError extends Error {
  constructor(type, message) {
    super(message || type);
    this.type = type;
  }
}

async function cognito(action, body) {
  let response;
  try {
    response = await fetch(CONFIG.cognitoEndpoint, {
      method: "POST",
      headers: {
        "Content-Type": "application/x-amz-json-1.1",
        "X-Amz-Target": `AWSCognitoIdentityProviderService.${action}`,
      },
      body: JSON.stringify(body),
    });
  } catch {
    throw new CognitoError("Network", say("error_network"));
  }
  const data = await response.json().catch(() => ({}));
  if (!response.ok) {
    const type = String(data.__type || "").split("#").pop();
    throw new CognitoError(type, data.message);
  }
  return data;
}

const COGNITO_MESSAGES = {
  NotAuthorizedException: "error_signin",
  UserNotFoundException: "error_signin",
  UserNotConfirmedException: "error_unconfirmed",
  UsernameExistsException: "error_exists",
  InvalidPasswordException: "error_password",
  CodeMismatchException: "error_code",
  ExpiredCodeException: "error_code",
  TooManyRequestsException: "error_rate",
  LimitExceededException: "error_rate",
};

function claims(token) {
  const part = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
  const json = decodeURIComponent(
    [...atob(part)].map((c) => "%" + c.charCodeAt(0).toString(16).padStart(2, "0")).join(""),
  );
  return JSON.parse(json);
}

const session = {
  get() {
    try {
      return JSON.parse(localStorage.getItem(SESSION_KEY));
    } catch {
      return null;
    }
  },
  set(value) {
    localStorage.setItem(SESSION_KEY, JSON.stringify(value));
  },
  clear() {
    localStorage.removeItem(SESSION_KEY);
  },
};

async function signIn(email, password) {
  const result = await cognito("InitiateAuth", {
    ClientId: CONFIG.clientId,
    AuthFlow: "USER_PASSWORD_AUTH",
    AuthParameters: { USERNAME: email, PASSWORD: password },
  });
  const tokens = result.AuthenticationResult;
  session.set({ id: tokens.IdToken, refresh: tokens.RefreshToken });
}

async function refresh() {
  const current = session.get();
  const result = await cognito("InitiateAuth", {
    ClientId: CONFIG.clientId,
    AuthFlow: "REFRESH_TOKEN_AUTH",
    AuthParameters: { REFRESH_TOKEN: current.refresh },
  });
  session.set({ ...current, id: result.AuthenticationResult.IdToken });
}

async function idToken() {
  const current = session.get();
  if (!current) return null;
  if (claims(current.id).exp - 60 < Date.now() / 1000) {
    try {
      await refresh();
    } catch {
      session.clear();
      return null;
    }
  }
  return session.get().id;
}

/** After sign-in: a new sign-up becomes a customer, and the tokens then carry its id.
 *  Returns false when the phone given at sign-up could not be kept (the account is made
 *  without it and the customer is asked on the profile page). */
async function ensureAccount() {
  const current = claims(session.get().id);
  if (current["custom:customer_id"]) return true;
  const details = { name: current.name || current.email.split("@")[0], language: LANG };
  let kept = true;
  try {
    await api("POST", "/my/account", current.phone_number ? { ...details, phone: current.phone_number } : details);
  } catch (error) {
    // a number the API refuses (impossible, another customer's) must not stop the account
    if (!(current.phone_number && error instanceof ApiError && [409, 422].includes(error.status))) throw error;
    await api("POST", "/my/account", details);
    kept = false;
  }
  await refresh();
  return kept;
}

function requireSignIn() {
  if (session.get()) return true;
  const here = location.pathname.split("/").pop() + location.search;
  location.replace(`signin.html?next=${encodeURIComponent(here)}`);
  return false;
}

// ---- the API ----------------------------------------------------------------------------

async function api(method, path, body) {
  const token = await idToken();
  const signedOut = () => { session.clear(); requireSignIn(); };
  try {
    return await fetchJson(CONFIG.apiUrl + path, { method, body, token, onUnauthorized: signedOut });
  } catch (error) {
    if (!(error instanceof TypeError)) throw error; // fetch's own failure: no network
    throw new ApiError(0, { code: "network", message: say("error_network") });
  }
}

/** An API refusal in the reader's words: its code's string, else its status's, else a generic
 *  one; never the API's own (English) message. */
function apiMessage(error) {
  if (error.localized) return error.message;
  return say(refusalKey(T, error));
}

/** A field's problem (`details[].type`, pydantic's error type) in the reader's words. */
function problemText(detail) {
  return say(problemKey(T, detail.type));
}

function report(error, form) {
  if (error instanceof CognitoError) {
    problem(say(COGNITO_MESSAGES[error.type] || "error_generic"));
    return;
  }
  if (error instanceof ApiError) {
    if (error.status === 422 && Array.isArray(error.details) && form) {
      const marked = error.details.filter((d) =>
        fieldError(form, String(d.field).split(".").pop(), problemText(d)),
      );
      problem(marked.length ? say("error_invalid") : apiMessage(error));
      return;
    }
    problem(apiMessage(error));
    return;
  }
  console.error(error);
  problem(say("error_generic"));
}

// ---- free text held to a limit in UTF-8 bytes (what the API counts; docs/api.md) ----------

/** The text's size as the API counts it: UTF-8 bytes (ç, ğ, ş… two, an emoji four). */
function utf8Size(text) {
  return new TextEncoder().encode(text).length;
}

/** Shows under `area` how much room is left of `limit` bytes, as the reader types (polite
 *  live region); `roomOver(area)` is how far over it is, 0 when it fits. */
function watchRoom(area, limit) {
  area.dataset.maxBytes = String(limit);
  const id = `${area.id}-room`;
  let line = document.getElementById(id);
  if (!line) {
    line = el("p", { class: "hint", id, "aria-live": "polite" });
    area.insertAdjacentElement("afterend", line);
    area.setAttribute("aria-describedby", `${area.getAttribute("aria-describedby") || ""} ${id}`.trim());
  }
  const update = () => {
    const used = utf8Size(area.value.trim());
    line.textContent = used > limit ? say("text_room_over", { over: (used - limit).toLocaleString(LANG) })
      : say("text_room_left", { left: (limit - used).toLocaleString(LANG) });
    line.classList.toggle("over", used > limit);
  };
  area.addEventListener("input", update);
  update();
  return update;
}

function roomOver(area) {
  return Math.max(0, utf8Size(area.value.trim()) - Number(area.dataset.maxBytes));
}

// ---- warranty and attachments, shared by several pages -----------------------------------

function warrantyText(warranty) {
  if (!warranty) return say("warranty_none");
  const date = formatDate(warranty.ends_on);
  if (warranty.state === "expired") return say("warranty_expired", { date });
  if (warranty.state === "ends_soon") return say("warranty_soon", { days: warranty.days_left, date });
  return say("warranty_in", { date });
}

function warrantyOn(endsOn) {
  const today = new Date(new Date().toLocaleString("en-US", { timeZone: "Europe/Istanbul" }));
  today.setHours(0, 0, 0, 0);
  const ends = new Date(`${endsOn}T00:00:00`);
  const days = Math.round((ends - today) / 86400000);
  const state = days < 0 ? "expired" : days <= 30 ? "ends_soon" : "in_warranty";
  return { state, ends_on: endsOn, days_left: Math.max(days, 0) };
}

function showWarranty(node, warranty) {
  node.textContent = warrantyText(warranty);
  node.className = `warranty ${warranty ? warranty.state : ""}`;
}

/** Refuses, before any upload, what the API would refuse; names the file in the message. */
function checkFiles(files) {
  for (const file of files) {
    const extensions = FILE_TYPES[file.type];
    if (file.size > MAX_BYTES) throw new ApiError(413, { message: say("file_too_big", { name: file.name }) }, true);
    if (!extensions || !extensions.some((e) => file.name.toLowerCase().endsWith(e))) {
      throw new ApiError(422, { message: say("file_type", { name: file.name }) }, true);
    }
  }
}

/** Uploads each file to S3 through the case's form and confirms it on the case. */
async function attach(caseId, files) {
  for (const id of await upload(caseId, files)) await api("POST", `/cases/${caseId}/attachments/${id}`);
}

/** Uploads each file to S3 through the case's form, unconfirmed: the ids a reply names
 *  (`attachment_ids`), so the files are recorded with it, in its own transaction. */
async function upload(caseId, files) {
  const ids = [];
  for (const file of files) {
    notice(say("uploading", { name: file.name }));
    const form = await api("POST", `/cases/${caseId}/attachments`, {
      filename: file.name,
      content_type: file.type,
      size: file.size,
    });
    const body = new FormData();
    for (const [name, value] of Object.entries(form.fields)) body.append(name, value);
    body.append("file", file);
    const uploaded = await fetch(form.url, { method: "POST", body });
    if (!uploaded.ok) throw new ApiError(uploaded.status, { message: say("error_generic") }, true);
    ids.push(form.attachment_id);
  }
  return ids;
}

// ---- pages -----------------------------------------------------------------------------

async function homePage() {
  const current = session.get();
  if (!current) return;
  const greeting = $("#greeting");
  greeting.textContent = say("home_signed_in", { name: claims(current.id).name || claims(current.id).email });
  greeting.hidden = false;
}

function signupPage() {
  const form = $("#signup-form");
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (!valid(form)) return;
    const phone = form.phone.value.trim() ? e164(form.phone.value) : "";
    if (phone === null) {
      fieldError(form, "phone", say("error_phone_format"));
      problem(say("error_invalid"));
      form.phone.focus();
      return;
    }
    busy(form, async () => {
      const email = form.email.value.trim();
      await cognito("SignUp", {
        ClientId: CONFIG.clientId,
        Username: email,
        Password: form.password.value,
        UserAttributes: [
          { Name: "email", Value: email },
          { Name: "name", Value: form.name.value.trim() },
          // kept on the sign-in until the account is completed (ensureAccount)
          ...(phone ? [{ Name: "phone_number", Value: phone }] : []),
        ],
      });
      location.assign(`confirm.html?email=${encodeURIComponent(email)}&new=1`);
    });
  });
}

function confirmPage() {
  const form = $("#confirm-form");
  form.email.value = params.get("email") || "";
  if (params.get("new")) notice(say("signup_done"));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (!valid(form)) return;
    busy(form, async () => {
      const email = form.email.value.trim();
      await cognito("ConfirmSignUp", {
        ClientId: CONFIG.clientId,
        Username: email,
        ConfirmationCode: form.code.value.trim(),
      });
      location.assign(`signin.html?email=${encodeURIComponent(email)}&confirmed=1`);
    });
  });
  $("#resend").addEventListener("click", () =>
    busy(form, async () => {
      await cognito("ResendConfirmationCode", { ClientId: CONFIG.clientId, Username: form.email.value.trim() });
      notice(say("code_sent"));
    }),
  );
}

function signinPage() {
  const form = $("#signin-form");
  form.email.value = params.get("email") || "";
  if (params.get("confirmed")) notice(say("confirm_done"));
  if (params.get("reset")) notice(say("forgot_done"));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (!valid(form)) return;
    busy(form, async () => {
      await signIn(form.email.value.trim(), form.password.value);
      if (!(await ensureAccount())) {
        location.assign("profile.html?phone=refused");
        return;
      }
      const next = params.get("next") || "";
      // only a page of this site, never an address elsewhere
      location.assign(/^[a-z-]+\.html(\?[\w=&%.-]*)?$/.test(next) ? next : "index.html");
    });
  });
}

function forgotPage() {
  const ask = $("#forgot-form");
  const reset = $("#reset-form");
  ask.addEventListener("submit", (event) => {
    event.preventDefault();
    if (!valid(ask)) return;
    busy(ask, async () => {
      await cognito("ForgotPassword", { ClientId: CONFIG.clientId, Username: ask.email.value.trim() });
      notice(say("forgot_sent"));
      reset.hidden = false;
      reset.code.focus();
    });
  });
  reset.addEventListener("submit", (event) => {
    event.preventDefault();
    if (!valid(reset)) return;
    busy(reset, async () => {
      const email = ask.email.value.trim();
      await cognito("ConfirmForgotPassword", {
        ClientId: CONFIG.clientId,
        Username: email,
        ConfirmationCode: reset.code.value.trim(),
        Password: reset.new_password.value,
      });
      location.assign(`signin.html?email=${encodeURIComponent(email)}&reset=1`);
    });
  });
}

async function profilePage() {
  if (!requireSignIn()) return;
  const form = $("#profile-form");
  let profile;
  const fill = (p) => {
    profile = p;
    $("#customer-number").textContent = p.customer_number;
    form.name.value = p.name;
    form.phone.value = p.phone || "";
    form.language.value = p.language;
    for (const radio of form.channel) radio.checked = radio.value === p.contact.channel;
    form.quiet_from.value = (p.contact.quiet_from || "").slice(0, 5);
    form.quiet_until.value = (p.contact.quiet_until || "").slice(0, 5);
  };
  // consent to surveys per channel (commercial messages: docs/surveys.md), saved with the
  // profile when changed; none recorded is no consent
  let consents = {};
  const fillConsents = (c) => {
    consents = Object.fromEntries(c.channels.map((x) => [x.channel, x.granted]));
    form.consent_email.checked = Boolean(consents.email);
    form.consent_sms.checked = Boolean(consents.sms);
  };
  try {
    fill(await api("GET", "/my/profile"));
    fillConsents(await api("GET", "/my/consents"));
  } catch (error) {
    report(error);
    return;
  }
  if (params.get("phone") === "refused") {
    problem(say("phone_not_saved"));
    fieldError(form, "phone", say("phone_not_saved"));
  }
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (!valid(form)) return;
    busy(form, async () => {
      // the phone is sent only when it changed: "" removes it, and the API refuses that
      // (like SMS without a number) with a code put into words here
      const typed = form.phone.value.trim();
      const phone = typed === (profile.phone || "") ? {} : { phone: typed };
      try {
        const changed = await api("PATCH", "/my/profile", {
          version: profile.version,
          name: form.name.value.trim(),
          language: form.language.value,
          ...phone,
          contact: {
            channel: form.channel.value || "email",
            quiet_from: form.quiet_from.value || null,
            quiet_until: form.quiet_until.value || null,
            timezone: profile.contact.timezone,
          },
        });
        fill(changed);
        const changes = ["email", "sms"]
          .filter((ch) => form[`consent_${ch}`].checked !== Boolean(consents[ch]))
          .map((ch) => ({ channel: ch, granted: form[`consent_${ch}`].checked }));
        if (changes.length) fillConsents(await api("PUT", "/my/consents", { changes }));
        notice(say("saved"));
      } catch (error) {
        if (!contactProblem(form, error)) throw error;
      }
    });
  });
}

// ---- the phone number: typed in any Turkish way, refusals put into words ------------------

/** E.164 for what a Turkish customer types (`0532 123 45 67`, `+90 532…`, `532…`), or null.
 *  Cognito keeps the sign-up's number only in E.164; the API checks it for real. */
function e164(text) {
  const digits = text.replace(/\D/g, "");
  if (text.trim().startsWith("+")) return digits.length >= 8 && digits.length <= 15 ? `+${digits}` : null;
  if (digits.length === 12 && digits.startsWith("90")) return `+${digits}`;
  if (digits.length === 11 && digits.startsWith("0")) return `+9${digits}`;
  if (digits.length === 10 && !digits.startsWith("0")) return `+90${digits}`;
  return null;
}

/** Marks the field a contact refusal is about; true when the error was one of those. */
function contactProblem(form, error) {
  if (!(error instanceof ApiError)) return false;
  const details = error.details && !Array.isArray(error.details) ? error.details : {};
  let key = null;
  let field = "phone";
  if (error.code === "sms_needs_phone") key = "error_sms_needs_phone";
  else if (error.code === "email_needs_address") [key, field] = ["error_email_needs_address", "channel"];
  else if (error.code === "customer_exists") key = "error_phone_taken";
  else if (error.status === 422 && "phone" in details) key = "error_phone_invalid";
  if (!key) return false;
  clearFieldErrors(form);
  fieldError(form, field, say(key));
  problem(say(key));
  form.querySelector(`[name="${field}"]`)?.focus();
  return true;
}

/** The catalog's product names already say brand and model ("Vestel Venus V7 128 GB"). */
function productName(item) {
  return item.product_name || item.name;
}

async function productsPage() {
  if (!requireSignIn()) return;
  const list = $("#product-list");
  const form = $("#register-form");
  const render = async () => {
    const page = await api("GET", "/my/products");
    list.replaceChildren(
      ...page.items.map((item) => {
        const state = el("p", {});
        showWarranty(state, item.warranty);
        return el(
          "li",
          { class: "card" },
          el("h3", { text: productName(item) }),
          el("p", { text: `${say("serial")}: ${item.serial_number}` }),
          el("p", { text: `${say("purchase_date")}: ${formatDate(item.purchase_date)}` }),
          state,
        );
      }),
    );
    list.removeAttribute("aria-busy");
    $("#products-empty").hidden = page.items.length > 0;
  };
  // the catalog: categories at every depth, flattened for one select with indentation
  const products = new Map();
  const categories = [];
  const walk = (nodes, depth) => {
    for (const node of nodes) {
      const name = (LANG === "en" && node.name_en) || node.name;
      categories.push({ node, label: `${"\u00a0\u00a0".repeat(depth)}${name}` });
      for (const product of node.products) products.set(product.id, product);
      walk(node.children, depth + 1);
    }
  };
  const productsUnder = (node) => [...node.products, ...node.children.flatMap(productsUnder)];
  try {
    await render();
    walk(await api("GET", "/catalog"), 0);
  } catch (error) {
    report(error);
    return;
  }
  for (const { node, label } of categories) form.category.append(el("option", { value: node.id, text: label }));
  form.category.addEventListener("change", () => {
    const chosen = categories.find((c) => c.node.id === form.category.value);
    form.product_id.replaceChildren(el("option", { value: "", text: say("choose") }));
    for (const product of chosen ? productsUnder(chosen.node) : []) {
      form.product_id.append(el("option", { value: product.id, text: productName(product) }));
    }
    form.product_id.dispatchEvent(new Event("change"));
  });
  form.product_id.addEventListener("change", () => {
    const product = products.get(form.product_id.value);
    const box = $("#attribute-fields");
    box.replaceChildren();
    $("#product-warranty").textContent = product ? say("warranty_months", { n: product.warranty_months }) : "";
    for (const attribute of product?.attributes || []) {
      if (!attribute.values?.length) continue;
      const id = `attr-${attribute.name}`;
      const select = el("select", { id, name: id, "data-attribute": attribute.name },
        attribute.values.map((v) => el("option", { value: v, text: v, selected: v === attribute.default })));
      box.append(el("div", { class: "field" }, el("label", { for: id, text: attribute.name }), select));
    }
  });
  form.purchase_date.max = new Date().toISOString().slice(0, 10);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (!valid(form)) return;
    busy(form, async () => {
      const attributes = {};
      for (const select of form.querySelectorAll("[data-attribute]")) attributes[select.dataset.attribute] = select.value;
      await api("POST", "/my/products", {
        product_id: form.product_id.value,
        serial_number: form.serial_number.value,
        purchase_date: form.purchase_date.value,
        seller: form.seller.value.trim() || null,
        order_ref: form.order_ref.value.trim() || null,
        attributes,
      });
      form.reset();
      await render();
      notice(say("registered"));
    });
  });
}

// ---- Siparişlerim: the customer's orders and shipments (docs/orders.md) -------------------

/** A status the shop wrote: our words for the ones we know, else the shop's own. */
function shopWord(prefix, status) {
  const key = `${prefix}${String(status).toLowerCase().replace(/[\s-]+/g, "_")}`;
  return T[key] || status;
}

const money = (amount, currency) => formatMoney(amount, currency, LANG);

function facts(pairs) {
  return el("dl", { class: "facts" },
    pairs.filter(([, value]) => value !== null && value !== undefined && value !== "")
      .flatMap(([label, value]) => [el("dt", { text: label }), el("dd", {}, value)]));
}

function caseLink(key, order, shipment) {
  const query = new URLSearchParams({ order: order.order_id, ...(shipment ? { shipment: shipment.shipment_id } : {}) });
  return el("a", { href: `new-case.html?${query}`, "data-file-case": shipment ? shipment.shipment_id : order.order_id, text: say(key) });
}

function shipmentBlock(order, s) {
  const carrier = s.carrier_name || s.carrier;
  const tracking = s.tracking_url
    ? el("a", { href: s.tracking_url, target: "_blank", rel: "noopener noreferrer", class: "track", "data-tracking": s.tracking_number },
      say("shipment_track", { carrier }), el("span", { class: "visually-hidden", text: ` ${say("shipment_new_tab")}` }))
    : el("span", { class: "hint", text: say("shipment_no_link", { carrier }) });
  const events = s.timeline.length
    ? el("ol", { class: "timeline" }, s.timeline.map((e) => el("li", {},
      el("time", { datetime: e.at, text: formatDate(e.at, true) }),
      [shopWord("shipment_status_", e.status), e.location].filter(Boolean).join(" · "))))
    : el("p", { class: "hint", text: say("shipment_no_events") });
  const headingId = `shipment-${s.shipment_id}`.replace(/[^A-Za-z0-9_-]/g, "-");
  return el("section", { class: "shipment", "aria-labelledby": headingId },
    el("h3", { id: headingId, text: say("shipment_title", { id: s.shipment_id }) }),
    facts([
      [say("shipment_carrier"), carrier],
      [say("shipment_tracking"), el("span", {}, el("code", { text: s.tracking_number }), " ", tracking)],
      [say("shipment_status"), shopWord("shipment_status_", s.status)],
      [say("shipment_estimated"), s.estimated_delivery ? formatDate(s.estimated_delivery) : null],
      [say("shipment_delivered"), s.delivered_at ? formatDate(s.delivered_at, true) : null],
    ]),
    s.late ? el("p", { class: "late", role: "note", text: say("shipment_late") }) : null,
    el("details", { open: s.late || !s.delivered_at }, el("summary", { text: say("shipment_timeline") }), events),
    el("p", { class: "actions" }, caseLink("shipment_file_case", order, s)));
}

function orderCard(order) {
  const headingId = `order-${order.order_id}`.replace(/[^A-Za-z0-9_-]/g, "-");
  return el("li", { class: "card", "data-order": order.order_id },
    el("article", { "aria-labelledby": headingId },
      el("h2", { id: headingId, text: say("order_title", { id: order.order_id }) }),
      facts([
        [say("order_placed"), formatDate(order.placed_at, true)],
        [say("order_status"), shopWord("order_status_", order.status)],
        [say("order_total"), money(order.total, order.currency)],
      ]),
      el("h3", { text: say("order_lines") }),
      el("ul", {}, order.lines.map((line) => el("li", {
        text: say("order_line", { quantity: line.quantity, name: line.name, price: money(line.unit_price, order.currency) }),
      }))),
      el("h3", { text: say("order_shipments") }),
      order.shipments.length ? order.shipments.map((s) => shipmentBlock(order, s))
        : el("p", { class: "hint", text: say("order_not_shipped") }),
      el("p", { class: "actions" }, caseLink("order_file_case", order, null))));
}

async function ordersPage() {
  if (!requireSignIn()) return;
  const list = $("#order-list");
  const more = $("#more-orders");
  let cursor = null;
  const load = async () => {
    const query = cursor ? `?cursor=${encodeURIComponent(cursor)}` : "";
    const page = await api("GET", `/my/orders${query}`);
    list.append(...page.items.map(orderCard));
    cursor = page.next_cursor;
    more.hidden = !cursor;
    list.removeAttribute("aria-busy");
    $("#orders-empty").hidden = list.children.length > 0;
  };
  more.addEventListener("click", () => load().catch((error) => report(error)));
  await load().catch((error) => report(error));
}

async function newCasePage() {
  if (!requireSignIn()) return;
  const form = $("#case-form");
  const warranty = $("#case-warranty");
  const registrations = new Map();
  try {
    const [mine, tree] = await Promise.all([api("GET", "/my/products"), api("GET", "/categories")]);
    for (const item of mine.items) {
      registrations.set(item.id, item);
      form.registration_id.append(
        el("option", { value: item.id, text: `${productName(item)} (${item.serial_number})` }),
      );
    }
    const walk = (nodes, depth) => {
      for (const node of nodes) {
        form.category_id.append(el("option", { value: node.id, text: `${"\u00a0\u00a0".repeat(depth)}${node.name}` }));
        walk(node.children || [], depth + 1);
      }
    };
    walk(tree, 0);
  } catch (error) {
    report(error);
  }
  // opened from Siparişlerim: the case is about that order (and shipment)
  const order = params.get("order");
  const shipment = order ? params.get("shipment") : null;
  if (order) {
    const about = $("#case-order");
    about.textContent = shipment ? say("case_about_shipment", { order, shipment }) : say("case_about_order", { order });
    about.hidden = false;
  }
  const preselected = params.get("product");
  if (preselected && registrations.has(preselected)) form.registration_id.value = preselected;
  const showChosen = () => {
    const chosen = registrations.get(form.registration_id.value);
    warranty.hidden = !chosen;
    if (chosen) showWarranty(warranty, chosen.warranty);
  };
  form.registration_id.addEventListener("change", showChosen);
  showChosen();
  const filed = caseAnswers(form);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (!valid(form)) return;
    busy(form, async () => {
      const files = [...form.files.files];
      try {
        checkFiles(files);
      } catch (error) {
        fieldError(form, "files", error.message);
        throw error;
      }
      const opened = await api("POST", "/my/cases", {
        type: form.type.value,
        registration_id: form.registration_id.value || null,
        ...(order ? { order_id: order, shipment_id: shipment || null } : {}),
        category_id: form.category_id.value || null,
        subject: form.subject.value.trim(),
        description: form.description.value.trim(),
      });
      await filed();
      await attach(opened.id, files);
      location.assign(`case.html?id=${encodeURIComponent(opened.id)}&sent=${encodeURIComponent(opened.number)}`);
    });
  });
}

function statusBadge(status) {
  return el("span", { class: `badge status-${status}`, text: say(`status_${status}`) });
}

async function casesPage() {
  if (!requireSignIn()) return;
  const table = $("#case-table");
  const more = $("#more-cases");
  let cursor = null;
  const load = async () => {
    const query = cursor ? `?cursor=${encodeURIComponent(cursor)}` : "";
    const page = await api("GET", `/my/cases${query}`);
    for (const item of page.items) {
      table.tBodies[0].append(
        el(
          "tr",
          {},
          el("td", {}, el("a", { href: `case.html?id=${encodeURIComponent(item.id)}`, text: item.number })),
          el("td", { text: item.subject }),
          el("td", {}, statusBadge(item.status)),
          el("td", { text: formatDate(item.updated_at, true) }),
        ),
      );
    }
    cursor = page.next_cursor;
    more.hidden = !cursor;
    table.hidden = table.tBodies[0].rows.length === 0;
    $("#cases-empty").hidden = !table.hidden;
  };
  more.addEventListener("click", () => load().catch((error) => report(error)));
  await load().catch((error) => report(error));
}

/** A public custom field's value in words: a list's option, yes or no, a date, a number. */
function fieldText(f) {
  if (f.kind === "list") return (LANG === "en" ? f.option_en : f.option_tr) || String(f.value);
  if (f.kind === "checkbox") return say(f.value ? "field_yes" : "field_no");
  if (f.kind === "date") return formatDate(`${f.value}T12:00:00Z`);
  if (f.kind === "number") return Number(f.value).toLocaleString(LANG === "en" ? "en-GB" : "tr-TR");
  return String(f.value);
}

async function casePage() {
  if (!requireSignIn()) return;
  // ?n=2026-000001 is what emails and SMS link to (the number the customer reads in them);
  // ?id= is what this site's own lists link to. The API takes either.
  const id = params.get("n") || params.get("id") || "";
  let view;
  const render = (data) => {
    view = data;
    const c = data.case;
    document.title = `${say("case_title", { number: c.number })} · ${say("site_name")}`;
    $("#case-heading").textContent = say("case_title", { number: c.number });
    $("#case-status").replaceWith(Object.assign(statusBadge(c.status), { id: "case-status" }));
    $("#case-subject").textContent = c.subject;
    $("#case-opened").textContent = formatDate(c.created_at, true);
    $("#case-description").textContent = c.description;
    for (const node of document.querySelectorAll("[data-product]")) node.hidden = !c.product;
    for (const node of document.querySelectorAll("[data-order]")) node.hidden = !c.order;
    if (c.order) {
      $("#case-order").textContent = c.order.shipment_id
        ? say("case_about_shipment", { order: c.order.order_id, shipment: c.order.shipment_id })
        : say("case_about_order", { order: c.order.order_id });
    }
    if (c.product) {
      $("#case-product").textContent = `${c.product.name} (${c.product.serial_number})`;
      showWarranty($("#case-warranty"), warrantyOn(c.product.warranty_ends));
    }
    // the custom fields staff marked public (docs/tags-and-fields.md), in the page's language
    const fields = data.fields || [];
    $("#case-fields").replaceChildren(...fields.flatMap((f) => [
      el("dt", { text: LANG === "en" ? f.label_en : f.label_tr }),
      el("dd", { "data-field": f.key, text: fieldText(f) })]));
    $("#case-fields").hidden = !fields.length;
    // a reply's files show in the reply (the agent's are uploaded before it, so by time
    // alone they would come first); a file no reply names (sent with the first message) by
    // itself, at its time
    const files = new Map(data.attachments.map((file) => [file.id, file]));
    const entries = data.history.map((entry) => {
      const own = (entry.attachment_ids || []).map((i) => files.get(i)).filter(Boolean);
      for (const file of own) files.delete(file.id);
      return { at: entry.at, entry, files: own };
    });
    entries.push(...[...files.values()].map((file) => ({ at: file.at, file })));
    entries.sort((a, b) => a.at.localeCompare(b.at));
    $("#timeline").replaceChildren(...entries.map(timelineItem));
    $("#resolution").hidden = c.status !== "resolved";
    $("#reply-form").hidden = c.status === "closed" || c.status === "merged";
    $("#closed-note").hidden = c.status !== "closed";
    // a merged case lives on in another: say which, and link to it
    const merged = $("#merged-note");
    merged.hidden = !(c.status === "merged" && c.merged_into_number);
    if (!merged.hidden) {
      const number = c.merged_into_number;
      merged.replaceChildren(say("merged_banner", { number }), " ",
        el("a", { href: `case.html?n=${encodeURIComponent(number)}`, text: say("merged_banner_link", { number }) }));
    }
    $("#case-view").hidden = false;
  };
  const reload = async () => render(await api("GET", `/cases/${encodeURIComponent(id)}`));
  try {
    await reload();
  } catch (error) {
    $("#case-heading").textContent = say("not_found");
    if (!(error instanceof ApiError && error.status === 404)) report(error);
    return;
  }
  if (params.get("sent")) notice(say("case_sent", { number: params.get("sent") }));
  // a reply only adds to the case: if the case moved meanwhile (routed, assigned), send it
  // again on the fresh version instead of troubling the customer
  const sendReply = async (body, ids) => {
    const reply = () => api("POST", `/cases/${view.case.id}/replies`,
      { version: view.case.version, body, ...(ids.length ? { attachment_ids: ids } : {}) });
    try {
      await reply();
    } catch (error) {
      if (!(error instanceof ApiError && error.code === "version_conflict")) throw error;
      await reload();
      await reply();
    }
  };
  const reply = $("#reply-form");
  reply.addEventListener("submit", (event) => {
    event.preventDefault();
    if (!valid(reply)) return;
    busy(reply, async () => {
      const files = [...reply.reply_files.files];
      checkFiles(files);
      // the files go with the reply (its attachment_ids), so they show in it
      await sendReply(reply.reply.value.trim(), await upload(view.case.id, files));
      reply.reset();
      await reload();
      notice(say("replied"));
    });
  });
  // the customer's word on a resolution is about the case as they saw it: if it changed,
  // show the new state and let them decide again
  const settle = async (answer) => {
    try {
      await api("POST", `/cases/${view.case.id}/resolution`, { version: view.case.version, ...answer });
    } finally {
      await reload();
    }
  };
  $("#solved").addEventListener("click", () =>
    busy($("#resolution"), async () => {
      await settle({ solved: true });
      notice(say("resolution_thanks"));
    }),
  );
  const notSolved = $("#not-solved-form");
  notSolved.addEventListener("submit", (event) => {
    event.preventDefault();
    if (!valid(notSolved)) return;
    busy(notSolved, async () => {
      await settle({ solved: false, comment: notSolved.resolution_comment.value.trim() });
      notSolved.reset();
      notice(say("resolution_reopened"));
    });
  });
}

/** An agent's image as a thumbnail that opens it, a PDF as a link that opens it in the
 *  browser, from `preview_url` (a short S3 link shown inline, docs/files-and-cc.md); null for
 *  any other file, which only downloads. The thumbnail loads from the bucket: the build's CSP
 *  lets img-src reach it (devstack/site.py). */
function filePreview(file) {
  if (!file.preview_url) return null;
  const open = { href: file.preview_url, target: "_blank", rel: "noopener" };
  if (file.content_type === "application/pdf") {
    return el("p", { class: "file-open" }, el("a", { ...open, class: "file-pdf", text: say("file_open_pdf", { name: file.filename }) }));
  }
  return el("p", { class: "file-open" }, el("a", { ...open, class: "file-thumb", title: say("file_open_image", { name: file.filename }) },
    el("img", { src: file.preview_url, alt: file.filename, loading: "lazy" })));
}

/** A file's download link, its size and (an image or a PDF) its preview. */
function fileLink(file) {
  const size = `${Math.max(1, Math.round(file.size / 1024))} KB`;
  return el("div", { class: "entry-file", "data-file": file.id },
    el("a", { href: file.url, download: file.filename, rel: "noopener" }, file.filename),
    ` (${size})`, filePreview(file));
}

/** The line's heading: who or what, then when, on one line. */
function entryMeta(title, at) {
  return el("p", { class: "meta" }, el("span", { class: "entry-title", text: title }), " · ",
    el("time", { datetime: at, text: formatDate(at, true) }));
}

function timelineItem({ at, entry, file, files = [] }) {
  if (file) return el("li", { class: "entry file" }, entryMeta(say("entry_file"), at), fileLink(file));
  const who = entry.by === "customer" ? say("you") : entry.by;
  let title;
  if (entry.kind === "created") title = say("entry_created");
  else if (entry.kind === "status_changed" && entry.status) title = say("entry_status", { status: say(`status_${entry.status.to}`) });
  else if (entry.other_number) title = say(`entry_${entry.kind}_${entry.other_is}`, { number: entry.other_number });
  else title = who;
  return el(
    "li",
    { class: `entry ${entry.kind} ${entry.by === "customer" ? "mine" : "theirs"}` },
    entryMeta(title, at),
    entry.body ? el("p", { class: "body", text: entry.body }) : null,
    // a reply that moved the case (the customer's answer, "not solved") says so, as the
    // status at the top of the page already does
    entry.kind !== "status_changed" && entry.status && entry.status.to
      ? el("p", { class: "meta entry-status", text: say("entry_status", { status: say(`status_${entry.status.to}`) }) }) : null,
    ...files.map(fileLink),
  );
}

// ---- the rating page: a signed link from the resolved notice, no sign-in ----------------
// Opening the page (a GET, as a mail scanner's) records nothing; `s` in the address only
// pre-selects a score. The answer is recorded by the form's POST alone.

async function ratePage() {
  const token = params.get("t") || "";
  const form = $("#rate-form");
  const gone = (key) => {
    form.hidden = true;
    const box = $("#rate-gone");
    box.textContent = say(key);
    box.hidden = false;
    box.setAttribute("tabindex", "-1");
    box.focus();
  };
  const show = (view) => {
    // the shop's scale: only its set of scores stays on the page
    for (const set of form.querySelectorAll(".scale-set")) {
      if (Number(set.dataset.scale) !== view.scale) set.remove();
      else {
        set.hidden = false;
        for (const input of set.querySelectorAll("input")) input.disabled = false;
      }
    }
    $("#score-hint").textContent = say(view.scale === 5 ? "rate_scale_hint" : `rate_scale_hint${view.scale}`);
    form.dataset.scale = view.scale;
    const heading = $("#rate-case");
    heading.textContent = say("rate_case", { number: view.case_number, subject: view.subject });
    heading.hidden = false;
    const current = $("#rate-current");
    current.hidden = view.score === null;
    if (view.score !== null) {
      current.textContent = say(view.can_answer ? "rate_current_changeable" : "rate_current", {
        score: view.score, scale: view.scale, until: formatDate(view.changeable_until, true) });
      const chosen = form.querySelector(`input[name=score][value="${view.score}"]`);
      if (chosen) chosen.checked = true;
      form.comment.value = view.comment || "";
      form.comment.dispatchEvent(new Event("input"));
    }
    if (!view.can_answer) {
      form.hidden = true;
      if (view.score === null) gone("rate_not_open");
      return;
    }
    form.hidden = false;
  };
  const explainLink = (error) => {
    if (error instanceof ApiError && error.status === 410) { gone("rate_expired"); return true; }
    if (error instanceof ApiError && error.status === 404) { gone("rate_invalid"); return true; }
    return false;
  };
  if (!/^[A-Za-z0-9_-]{30,200}$/.test(token)) { gone("rate_invalid"); return; }
  try {
    show(await api("GET", `/ratings/${token}`));
  } catch (error) {
    if (!explainLink(error)) throw error;
    return;
  }
  const preset = form.querySelector(`input[name=score][value="${CSS.escape(params.get("s") || "")}"]`);
  if (preset) preset.checked = true;
  watchRoom(form.comment, Number(form.comment.dataset.maxBytes));
  form.addEventListener("submit", async () => {
    clearFieldErrors(form);
    const chosen = form.querySelector("input[name=score]:checked");
    if (!chosen) {
      fieldError(form, "score", say("rate_choose", { top: form.dataset.scale || 5 }));
      problem(say("error_invalid"));
      form.querySelector("input[name=score]").focus();
      return;
    }
    const over = roomOver(form.comment);
    if (over) {
      fieldError(form, "comment", say("text_room_over", { over: over.toLocaleString(LANG) }));
      problem(say("error_invalid"));
      form.comment.focus();
      return;
    }
    await busy(form, async () => {
      try {
        const view = await api("POST", `/ratings/${token}`, {
          score: Number(chosen.value), comment: form.comment.value.trim() || undefined });
        show(view);
        notice(say("rate_thanks"));
        $("#notice").setAttribute("tabindex", "-1");
        $("#notice").focus();
      } catch (error) {
        if (!explainLink(error)) throw error;
      }
    });
  });
}

// ---- start ------------------------------------------------------------------------------

const PAGES = {
  index: homePage,
  signup: signupPage,
  confirm: confirmPage,
  signin: signinPage,
  forgot: forgotPage,
  profile: profilePage,
  products: productsPage,
  orders: ordersPage,
  "new-case": newCasePage,
  cases: casesPage,
  case: casePage,
  rate: ratePage,
  survey: surveyPage,
  "opt-out": optOutPage,
  library: libraryPage,
  help: helpPage,
};

// ---- the e-library: public documents, no sign-in (docs/checklists-and-library.md) --------

/** Public documents as cards, the reader's language first, filtered by category (named in
 *  words, `library_kind_<code>`, a code without words as typed); each download link works a
 *  few minutes, so the list is fetched again when the filter changes. */
async function libraryPage() {
  const list = $("#library-list");
  const choice = $("#library-category");
  const show = async () => {
    list.setAttribute("aria-busy", "true");
    try {
      const query = choice.value ? `?category=${encodeURIComponent(choice.value)}` : "";
      const documents = await api("GET", `/library${query}`);
      documents.sort((a, b) => Number(b.language === LANG) - Number(a.language === LANG));
      list.replaceChildren(...documents.map((d) => el("li", { class: "card", "data-document": d.id },
        el("h2", { class: "card-title", text: d.title }),
        d.description ? el("p", { text: d.description }) : null,
        el("p", { class: "hint", text: `${say(`library_language_${d.language}`)} · ${say("library_size_kb", { kb: Math.max(1, Math.round(d.size / 1024)) })}` }),
        el("p", {}, el("a", { href: d.url, download: d.filename, text: `${say("library_download")}: ${d.filename}` })))));
      $("#library-empty").hidden = documents.length > 0;
      if (!choice.dataset.filled) {
        choice.dataset.filled = "1";
        for (const category of [...new Set(documents.map((d) => d.category))].sort()) {
          choice.append(el("option", { value: category, text: T[`library_kind_${category}`] ? say(`library_kind_${category}`) : category }));
        }
      }
    } catch (error) {
      problem(apiMessage(error));
    } finally {
      list.removeAttribute("aria-busy");
    }
  };
  choice.addEventListener("change", show);
  await show();
}

// ---- the help centre: public articles, no sign-in (docs/knowledge-base.md) ----------------

/** The search's title or snippet (HTML-escaped text with <mark></mark> around the matched
 *  words, from the API) as nodes: the marks become <mark> elements, everything else text,
 *  so nothing in an article can become markup here either. */
function marked(escaped) {
  const entities = { "&lt;": "<", "&gt;": ">", "&amp;": "&", "&quot;": '"', "&#x27;": "'", "&#39;": "'" };
  const text = (part) => part.replace(/&(lt|gt|amp|quot|#x27|#39);/g, (entity) => entities[entity]);
  return escaped.split(/(<mark>[\s\S]*?<\/mark>)/).filter(Boolean).map((part) => (
    part.startsWith("<mark>") ? el("mark", { text: text(part.slice(6, -7)) }) : document.createTextNode(text(part))));
}

/** A solution's plain text as paragraphs (split by a blank line), a run of numbered lines
 *  ("1. ...") as an ordered list: textContent only. */
function articleBody(text) {
  return text.split(/\n\s*\n/).map((block) => {
    const lines = block.split("\n").map((l) => l.trim()).filter(Boolean);
    if (lines.length && lines.every((l) => /^\d+[.)]\s/.test(l))) {
      return el("ol", {}, lines.map((l) => el("li", { text: l.replace(/^\d+[.)]\s+/, "") })));
    }
    return el("p", { text: lines.join("\n") });
  });
}

/** The opaque id "was this helpful?" keeps for this reader (one vote a day an article). */
function visitorId() {
  let id = localStorage.getItem("destek.visitor");
  if (!id) {
    id = crypto.randomUUID().replaceAll("-", "");
    localStorage.setItem("destek.visitor", id);
  }
  return id;
}

function articleLink(slug) {
  return `help.html?a=${encodeURIComponent(slug)}`;
}

/** Search (`?q=`), browse by topic (`?c=`) or read one article (`?a=`). */
async function helpPage() {
  const slug = params.get("a");
  if (slug) {
    await showArticle(slug);
    return;
  }
  const form = $("#help-search");
  const q = params.get("q") || "";
  form.q.value = q;
  form.addEventListener("submit", () => {
    const words = form.q.value.trim();
    if (words) location.assign(`help.html?q=${encodeURIComponent(words)}`);
  });
  const tasks = [browse(params.get("c") || "")];
  if (q.trim()) tasks.push(searchArticles(q.trim()));
  await Promise.all(tasks);
}

async function searchArticles(q) {
  $("#help-found").hidden = false;
  const list = $("#help-results");
  list.setAttribute("aria-busy", "true");
  try {
    const found = await api("GET", `/kb/search?q=${encodeURIComponent(q.slice(0, 200))}&lang=${LANG}&limit=10`);
    list.replaceChildren(...found.items.map((hit) => el("li", { class: "card", "data-slug": hit.slug },
      el("h3", {}, el("a", { href: articleLink(hit.slug) }, marked(hit.title))),
      el("p", {}, marked(hit.snippet)))));
    $("#help-none").hidden = found.items.length > 0;
  } catch (error) {
    problem(apiMessage(error));
  } finally {
    list.removeAttribute("aria-busy");
  }
}

async function browse(category) {
  try {
    const [topics, page] = await Promise.all([api("GET", "/kb/categories"),
      api("GET", `/kb/articles?lang=${LANG}${category ? `&category_id=${encodeURIComponent(category)}` : ""}`)]);
    const chip = (id, name) => el("li", {}, el("a", { href: id ? `help.html?c=${encodeURIComponent(id)}` : "help.html",
      "aria-current": id === category ? "true" : null, text: name }));
    $("#help-categories").replaceChildren(chip("", say("help_all")),
      ...topics.map((t) => chip(t.category_id, `${t.name} (${t.articles})`)));
    $("#help-list").replaceChildren(...page.items.map((a) => el("li", { class: "card", "data-slug": a.slug },
      el("h3", {}, el("a", { href: articleLink(a.slug), text: a.title })),
      el("p", { text: a.problem }))));
    $("#help-empty").hidden = page.items.length > 0;
  } catch (error) {
    problem(apiMessage(error));
  }
}

async function showArticle(slug) {
  $("#help-search").hidden = true;
  $("#help-browse").hidden = true;
  let article;
  try {
    article = await api("GET", `/kb/articles/${encodeURIComponent(slug)}?lang=${LANG}`);
  } catch (error) {
    problem(error.status === 404 ? say("help_not_found") : apiMessage(error));
    return;
  }
  document.title = `${article.title} · ${say("site_name")}`;
  $("h1").textContent = article.title;
  $("#help-article-title").hidden = true;
  const language = $("#help-article-language");
  language.hidden = article.language === LANG;
  language.textContent = say("help_only_in", { language: say(`help_language_${article.language}`) });
  $("#help-article-problem").textContent = article.problem;
  $("#help-article-solution").replaceChildren(...articleBody(article.solution));
  $("#help-article").hidden = false;
  const answer = $("#help-vote-answer");
  const buttons = [...$("#help-vote").querySelectorAll("button")];
  for (const button of buttons) {
    button.addEventListener("click", async () => {
      buttons.forEach((b) => { b.disabled = true; });
      try {
        await api("POST", `/kb/articles/${encodeURIComponent(slug)}/votes`,
          { visitor: visitorId(), helpful: button.value === "true" });
        answer.textContent = say("help_thanks");
      } catch (error) {
        answer.textContent = error.code === "already_voted" ? say("help_already_voted") : apiMessage(error);
      }
      answer.hidden = false;
    });
  }
}

// ---- answers before a case is filed: suggestions beside the new-case form, and the draft's
// report (shown, opened, filed or left) for the deflection share (docs/knowledge-base.md) ---

/** Watches the subject and description; shows the best public articles (debounced); sends
 *  the draft's report once: `filed` after the case is created, else `left` when the page
 *  is hidden for good (a beacon: it outlives the page). Returns `filed()` for the form. */
function caseAnswers(form) {
  const box = $("#case-answers");
  const list = $("#case-answers-list");
  const draft = crypto.randomUUID().replaceAll("-", "");
  const shown = new Set();
  const opened = new Set();
  let reported = false;
  let timer = null;
  let asked = "";
  const body = (outcome) => JSON.stringify({ draft, shown: [...shown].slice(0, 30),
    opened: [...opened].slice(0, 30), outcome });
  const typed = () => Boolean(form.subject.value.trim() || form.description.value.trim());
  const look = async () => {
    const q = `${form.subject.value} ${form.description.value}`.replace(/\s+/g, " ").trim().slice(0, 200);
    if (q.length < 3 || q === asked) return;
    asked = q;
    try {
      const found = await api("GET", `/kb/search?q=${encodeURIComponent(q)}&lang=${LANG}&limit=5`);
      if (q !== asked) return; // the customer typed on meanwhile
      list.replaceChildren(...found.items.map((hit) => {
        if (shown.size < 30) shown.add(hit.slug);
        return el("li", { class: "card", "data-slug": hit.slug },
          el("h3", {}, el("a", { href: articleLink(hit.slug), target: "_blank", rel: "noopener",
            onclick: () => { if (shown.has(hit.slug)) opened.add(hit.slug); } }, marked(hit.title))),
          el("p", {}, marked(hit.snippet)));
      }));
      box.hidden = found.items.length === 0;
    } catch {
      // suggestions are a help, never in the way of filing a case
    }
  };
  for (const field of [form.subject, form.description]) {
    field.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(look, 400);
    });
  }
  addEventListener("pagehide", () => {
    if (reported || !typed()) return;
    reported = true;
    navigator.sendBeacon(`${CONFIG.apiUrl}/kb/deflection`, body("left"));
  });
  return async function filed() {
    if (reported) return;
    reported = true;
    await api("POST", "/kb/deflection", JSON.parse(body("filed"))).catch(() => {});
  };
}

// ---- planned surveys and opt-out: signed links, no sign-in (docs/surveys.md) -------------

/** The survey behind `?t=`: GET shows it (and records nothing), the form POSTs the answers;
 *  answering again replaces them until the link expires. */
async function surveyPage() {
  const token = params.get("t") || "";
  const form = $("#survey-form");
  let survey;
  try {
    survey = await api("GET", `/survey-links/${encodeURIComponent(token)}`);
  } catch (error) {
    $("#survey-intro").hidden = true;
    report(linkError(error));
    return;
  }
  const lang = LANG === "en" ? "en" : "tr";
  document.title = `${survey.name} · ${say("site_name")}`;
  $("main h1").textContent = survey.name;
  $("#survey-intro").textContent = survey.answered_at
    ? say("survey_answered_before", { until: formatDate(survey.expires_at, true) })
    : say("survey_until", { until: formatDate(survey.expires_at, true) });
  const box = $("#survey-questions");
  for (const q of survey.questions) box.append(questionField(q, lang, survey.answers[q.id]));
  form.hidden = false;
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    busy(form, async () => {
      clearFieldErrors(form);
      const long = survey.questions.filter((q) => q.kind === "free_text" && roomOver(form.elements[q.id]));
      for (const q of long) fieldError(form, q.id, say("text_room_over", { over: roomOver(form.elements[q.id]).toLocaleString(LANG) }));
      if (long.length) {
        problem(say("error_invalid"));
        form.elements[long[0].id].focus();
        return;
      }
      try {
        await api("POST", `/survey-links/${encodeURIComponent(token)}`, { answers: answersOf(form, survey.questions) });
        notice(say("survey_thanks"));
      } catch (error) {
        if (error instanceof ApiError && error.code === "invalid_answers" && Array.isArray(error.details)) {
          for (const d of error.details) fieldError(form, d.field, say(`survey_problem_${d.problem}`));
          problem(say("error_invalid"));
          return;
        }
        report(linkError(error));
      }
    });
  });
}

/** A refused link in the reader's words: gone (410) or not ours (404). */
function linkError(error) {
  if (error instanceof ApiError && error.status === 410) error.code = "link_expired";
  if (error instanceof ApiError && error.status === 404) error.code = "link_invalid";
  return error;
}

/** One question as a fieldset (scales and choices) or a labelled text box; `given` is the
 *  earlier answer, shown so it can be changed. */
function questionField(q, lang, given) {
  const legend = q.text[lang] + (q.required ? ` (${say("required")})` : "");
  const error = el("p", { class: "field-error", id: `${q.id}-error`, hidden: true });
  if (q.kind === "free_text") {
    const hint = el("p", { class: "hint", id: `${q.id}-hint`,
      text: say("survey_text_hint", { limit: q.max_bytes.toLocaleString(LANG) }) });
    const area = el("textarea", { id: q.id, name: q.id, rows: 4, "aria-describedby": `${q.id}-hint ${q.id}-error` });
    area.value = given || "";
    const field = el("div", { class: "field" }, el("label", { for: q.id, text: legend }), hint, area, error);
    watchRoom(area, q.max_bytes);
    return field;
  }
  let options;
  if (q.kind === "rating" || q.kind === "nps") {
    const [low, high] = q.kind === "nps" ? [0, 10] : [q.scale_min, q.scale_max];
    options = Array.from({ length: high - low + 1 }, (_, i) => ({ id: String(low + i), text: String(low + i) }));
  } else {
    options = q.choices.map((c) => ({ id: c.id, text: c.text[lang] }));
  }
  const type = q.kind === "multiple_choice" ? "checkbox" : "radio";
  const chosen = new Set([given].flat().filter((v) => v !== undefined && v !== null).map(String));
  const scale = q.kind === "rating" || q.kind === "nps";
  return el("fieldset", { class: scale ? "scale" : null, "aria-describedby": `${q.id}-error` },
    el("legend", { text: legend }),
    scale ? el("p", { class: "hint", text: say(q.kind === "nps" ? "survey_nps_ends" : "survey_scale_ends") }) : null,
    options.map((o) => el("label", { class: "choice" },
      el("input", { type, name: q.id, value: o.id, checked: chosen.has(o.id) }), ` ${o.text}`)),
    error);
}

function answersOf(form, questions) {
  const answers = {};
  for (const q of questions) {
    if (q.kind === "free_text") {
      const text = form.elements[q.id].value.trim();
      if (text) answers[q.id] = text;
      continue;
    }
    const picked = [...form.querySelectorAll(`input[name="${CSS.escape(q.id)}"]:checked`)].map((i) => i.value);
    if (q.kind === "multiple_choice") {
      if (picked.length) answers[q.id] = picked;
    } else if (picked.length) {
      answers[q.id] = q.kind === "single_choice" ? picked[0] : Number(picked[0]);
    }
  }
  return answers;
}

/** The opt-out link's page: opening it changes nothing (mail scanners open links); the one
 *  button POSTs, and the consent is withdrawn at once. */
async function optOutPage() {
  const token = encodeURIComponent(params.get("t") || "");
  const form = $("#opt-out-form");
  const show = (state) => {
    $("#opt-out-text").textContent = say(state.withdrawn ? "opt_out_done" : "opt_out_ask",
      { channel: say(`channel_${state.channel}`) });
    form.hidden = state.withdrawn;
  };
  try {
    show(await api("GET", `/opt-out/${token}`));
  } catch (error) {
    $("#opt-out-text").hidden = true;
    report(linkError(error));
    return;
  }
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    busy(form, async () => {
      try {
        show(await api("POST", `/opt-out/${token}`, {}));
      } catch (error) {
        report(linkError(error));
      }
    });
  });
}

function chrome() {
  const signedIn = Boolean(session.get());
  for (const node of document.querySelectorAll("[data-when]")) {
    node.hidden = (node.dataset.when === "in") !== signedIn;
  }
  $("#sign-out").addEventListener("click", () => {
    session.clear();
    location.assign("index.html");
  });
  // the language switch keeps the page's query (which case, which product)
  const other = $("#switch-language");
  other.href = other.getAttribute("href") + location.search;
}

chrome();
// the browser must never submit a form by itself (a click before a page's data arrived
// would send it as a GET with every field in the address)
document.addEventListener("submit", (event) => event.preventDefault(), true);
const main = $("#main");
main.setAttribute("aria-busy", "true");
Promise.resolve(PAGES[document.body.dataset.page]?.())
  .catch((error) => report(error))
  .finally(() => main.removeAttribute("aria-busy"));
