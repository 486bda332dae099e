// destek's assistant ("Kargom nerede?"): a chat widget any page includes with one tag,
//   <script src="https://<site>/static/assistant.js" data-api="https://<api>" data-lang="tr" defer></script>
// It uses the library shared with the console and site.js (templates/shared/static/): the
// site's build puts those modules' code in place of the imports below and wraps the whole in
// one function, so what pages include stays one classic script (a shop's page on another
// origin needs no CORS from the site's host, as a module would: docs/assistant.md#the-widget).
// Self-contained once built: its own shadow root (the page's styles do not reach it, its
// styles go in through a constructed stylesheet, which a Content Security Policy without
// 'unsafe-inline' lets in), its words baked in by the site's build from the site's strings
// (assistant_*), Turkish and English. Phone-first, keyboard and screen-reader friendly:
// answers arrive in an aria-live log; Escape closes the panel and focus goes back to its
// button. Every text from the API reaches the page through textContent, never as HTML.
// docs/assistant.md#the-widget
import { el } from "./shared/dom.js";
import { sayer } from "./shared/i18n.js";
import { ApiError, fetchJson } from "./shared/api.js";

(() => {
  "use strict";
  const script = document.currentScript;
  if (!script || window.__destekAssistant) return;
  window.__destekAssistant = true;

  const ALL_STRINGS = /*@assistant-strings*/ { tr: {}, en: {} };
  const dataset = script.dataset;
  const LANG = (dataset.lang || document.documentElement.lang || "tr").slice(0, 2) === "en" ? "en" : "tr";
  const T = ALL_STRINGS[LANG];
  const API = (dataset.api || (window.DESTEK_CONFIG && window.DESTEK_CONFIG.apiUrl) || "").replace(/\/$/, "");
  const SESSION_KEY = dataset.sessionKey || "destek.session";
  const KEPT = `destek.assistant.${LANG}`;
  const MAX_TEXT = 500;

  const say = sayer(T);

  // ---- who is asking: the site's signed-in customer, if any --------------------------------

  /** The site's id token, when a customer is signed in and it has not expired; else none
   *  (the widget never refreshes it: a visitor proves an order instead). */
  function token() {
    try {
      const stored = JSON.parse(localStorage.getItem(SESSION_KEY));
      const part = stored.id.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
      const claims = JSON.parse(decodeURIComponent([...atob(part)]
        .map((c) => "%" + c.charCodeAt(0).toString(16).padStart(2, "0")).join("")));
      return claims.exp - 30 > Date.now() / 1000 && claims["custom:customer_id"] ? stored.id : null;
    } catch {
      return null;
    }
  }

  /** The API's answer to `method path` (JSON), signed with the customer's token when there
   *  is one and `signed`; a refusal is an ApiError, a lost network fetch's TypeError. */
  function call(method, path, body, signed = true) {
    return fetchJson(`${API}${path}`, { method, body, token: signed ? token() : null });
  }

  const newId = () => (crypto.randomUUID ? crypto.randomUUID() : `${Date.now()}-${Math.random()}`.replace(/\D/g, "")).replace(/-/g, "");

  // ---- the panel ---------------------------------------------------------------------------

  const CSS = `
    /* the host's own box (88px) is room at the end of the page: the page can always scroll
       its last button or link above the launcher, which otherwise covered a form's "Gönder" */
    :host { all: initial; display: block; height: 88px;
      font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", sans-serif; }
    * { box-sizing: border-box; }
    [hidden] { display: none !important; }
    .sr { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
    button { font: inherit; min-height: 44px; min-width: 44px; border-radius: 22px; cursor: pointer; }
    :focus-visible { outline: 3px solid #ffbf47; outline-offset: 2px; }
    .launcher { position: fixed; right: 16px; bottom: 16px; z-index: 2147483000; padding: 0 18px;
      background: #0b5cad; color: #fff; border: 2px solid #fff; font-weight: 600; box-shadow: 0 2px 10px rgba(0,0,0,.3); }
    .panel { position: fixed; z-index: 2147483001; right: 16px; bottom: 16px; width: 380px; max-width: calc(100vw - 32px);
      height: 560px; max-height: calc(100vh - 32px); display: flex; flex-direction: column; background: #fff; color: #1b1f24;
      border-radius: 12px; box-shadow: 0 4px 24px rgba(0,0,0,.3); overflow: hidden; font-size: 16px; line-height: 1.45; }
    @media (max-width: 480px) { .panel { inset: 0; width: auto; height: auto; max-width: none; max-height: none; border-radius: 0; } }
    .head { display: flex; align-items: center; justify-content: space-between; gap: 8px; padding: 8px 8px 8px 16px;
      background: #0b5cad; color: #fff; }
    .head h2 { font-size: 1.05rem; margin: 0; }
    .close { background: transparent; color: #fff; border: 2px solid transparent; font-size: 1.4rem; line-height: 1; }
    .log { flex: 1; overflow-y: auto; list-style: none; margin: 0; padding: 12px; display: flex; flex-direction: column; gap: 8px; background: #f3f5f8; }
    .msg { max-width: 88%; padding: 8px 12px; border-radius: 12px; white-space: pre-line; overflow-wrap: anywhere; }
    .bot { align-self: flex-start; background: #fff; border: 1px solid #c9d0d9; }
    .customer { align-self: flex-end; background: #0b5cad; color: #fff; }
    .msg a { color: #0b5cad; font-weight: 600; display: inline-block; margin-top: 4px; }
    .chips { display: flex; flex-wrap: wrap; gap: 6px; padding: 8px 12px 0; }
    .chip { background: #fff; color: #0b5cad; border: 2px solid #0b5cad; padding: 0 12px; font-size: .95rem; }
    .handed { margin: 8px 12px 0; padding: 8px 12px; border-radius: 8px; background: #e8f4ec; border-left: 6px solid #1d6b35; }
    .status { margin: 6px 12px 0; color: #a4161a; font-weight: 600; min-height: 0; }
    form { display: flex; gap: 8px; padding: 12px; border-top: 1px solid #c9d0d9; background: #fff; }
    input { flex: 1; font: inherit; padding: 10px 12px; border: 1px solid #6b7685; border-radius: 22px; min-height: 44px; min-width: 0; }
    .send { background: #0b5cad; color: #fff; border: 2px solid #0b5cad; padding: 0 16px; font-weight: 600; }
    .again { margin: 8px 12px 0; background: #fff; color: #0b5cad; border: 2px solid #0b5cad; padding: 0 16px; font-weight: 600; }
    button:disabled, input:disabled { opacity: .6; cursor: progress; }
  `;

  const host = el("div", { id: "destek-assistant" });
  const root = host.attachShadow({ mode: "open" });
  if (root.adoptedStyleSheets !== undefined && window.CSSStyleSheet && "replaceSync" in CSSStyleSheet.prototype) {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(CSS);
    root.adoptedStyleSheets = [sheet];
  } else {
    root.append(el("style", { text: CSS }));
  }

  const launcher = el("button", { type: "button", class: "launcher", "aria-haspopup": "dialog",
    "aria-expanded": "false", "aria-controls": "destek-assistant-panel", text: say("assistant_open") });
  const log = el("ol", { class: "log", role: "log", "aria-live": "polite", "aria-relevant": "additions",
    "aria-label": say("assistant_log") });
  const chips = el("div", { class: "chips", role: "group", "aria-label": say("assistant_suggestions") });
  const handed = el("p", { class: "handed", role: "status", hidden: true });
  const status = el("p", { class: "status", role: "alert", hidden: true });
  const input = el("input", { id: "destek-assistant-input", type: "text", maxlength: String(MAX_TEXT),
    autocomplete: "off", enterkeyhint: "send", placeholder: say("assistant_placeholder") });
  const send = el("button", { type: "submit", class: "send", text: say("assistant_send") });
  const again = el("button", { type: "button", class: "again", hidden: true, text: say("assistant_new") });
  const form = el("form", {},
    el("label", { class: "sr", for: "destek-assistant-input", text: say("assistant_input_label") }), input, send);
  const close = el("button", { type: "button", class: "close", "aria-label": say("assistant_close"), text: "×" });
  const panel = el("section", { id: "destek-assistant-panel", class: "panel", role: "dialog",
    "aria-modal": "false", "aria-labelledby": "destek-assistant-title", hidden: true },
    el("div", { class: "head" }, el("h2", { id: "destek-assistant-title", text: say("assistant_title") }), close),
    log, chips, handed, again, status, form);
  root.append(launcher, panel);

  // ---- the conversation --------------------------------------------------------------------

  let conversation = null; // { id, status }

  function bubble(message) {
    const item = el("li", { class: `msg ${message.author}` });
    item.append(el("span", { class: "sr", text: say(message.author === "bot" ? "assistant_bot" : "assistant_you") }));
    item.append(document.createTextNode(message.text));
    for (const link of message.links || []) {
      if (!/^https:\/\//.test(link.url)) continue;
      item.append(el("br"), el("a", { href: link.url, target: "_blank", rel: "noopener noreferrer" },
        link.label, el("span", { class: "sr", text: ` ${say("assistant_new_tab")}` })));
    }
    log.append(item);
    log.scrollTop = log.scrollHeight;
  }

  function offer(suggestions) {
    chips.replaceChildren(...(suggestions || []).map((text) =>
      el("button", { type: "button", class: "chip", text, onclick: () => submit(text) })));
  }

  function closedAs(handoff) {
    conversation.status = "closed";
    input.disabled = send.disabled = true;
    offer([]);
    again.hidden = false;
    if (handoff) {
      handed.textContent = handoff.kind === "case"
        ? say("assistant_handed_case", { number: handoff.number })
        : say("assistant_handed_precase", { reference: handoff.reference });
      handed.hidden = false;
    }
  }

  function show(view) {
    conversation = { id: view.id, status: view.status };
    log.replaceChildren();
    handed.hidden = true;
    again.hidden = true;
    input.disabled = send.disabled = false;
    view.messages.forEach(bubble);
    const last = view.messages[view.messages.length - 1];
    offer(last && last.author === "bot" && view.status === "open" ? last.suggestions : []);
    if (view.status === "closed") closedAs(view.handoff);
    try { sessionStorage.setItem(KEPT, view.id); } catch { /* private mode: not kept */ }
  }

  function problem(error) {
    const key = error && error.status === 429 ? "assistant_error_rate" : "assistant_error";
    status.textContent = say(key);
    status.hidden = false;
  }

  async function begin() {
    try {
      show(await call("POST", "/assistant/conversations", { language: LANG }));
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) {
        show(await call("POST", "/assistant/conversations", { language: LANG }, false));
      } else {
        throw error;
      }
    }
  }

  async function resume() {
    let kept = null;
    try { kept = sessionStorage.getItem(KEPT); } catch { kept = null; }
    if (kept) {
      try {
        const view = await call("GET", `/assistant/conversations/${encodeURIComponent(kept)}`);
        // signed in or out since: a new conversation, as whoever is here now
        if (view.status === "open" && view.signed_in === Boolean(token())) { show(view); return; }
      } catch { /* gone, or not this visitor's: a new one */ }
    }
    await begin();
  }

  async function post(text, id) {
    return call("POST", `/assistant/conversations/${encodeURIComponent(conversation.id)}/messages`,
      { client_message_id: id, text });
  }

  async function submit(text) {
    const message = text.trim().slice(0, MAX_TEXT);
    if (!message || !conversation || input.disabled) return;
    status.hidden = true;
    input.value = "";
    offer([]);
    input.disabled = send.disabled = true;
    panel.setAttribute("aria-busy", "true");
    bubble({ author: "customer", text: message });
    const id = newId();
    try {
      let answer;
      try {
        answer = await post(message, id);
      } catch (error) {
        if (error instanceof ApiError && (error.code === "conversation_closed" || error.status === 404)) {
          // it ended while the visitor was away, or is no longer theirs (signed out, the
          // token expired): ask again in a new one
          await begin();
          bubble({ author: "customer", text: message });
          answer = await post(message, newId());
        } else if (!(error instanceof ApiError)) {
          answer = await post(message, id); // the network lost the answer: the same id again
        } else {
          throw error;
        }
      }
      input.disabled = send.disabled = false;
      bubble(answer.answer);
      offer(answer.answer.suggestions);
      if (answer.status === "closed") closedAs(answer.handoff);
    } catch (error) {
      input.disabled = send.disabled = false;
      problem(error);
    } finally {
      panel.removeAttribute("aria-busy");
      if (!input.disabled) input.focus();
    }
  }

  async function open() {
    panel.hidden = false;
    launcher.hidden = true;
    launcher.setAttribute("aria-expanded", "true");
    input.focus();
    if (!conversation) {
      try { await resume(); } catch (error) { problem(error); }
      input.focus();
    }
  }

  function shut() {
    panel.hidden = true;
    launcher.hidden = false;
    launcher.setAttribute("aria-expanded", "false");
    launcher.focus();
  }

  launcher.addEventListener("click", open);
  close.addEventListener("click", shut);
  panel.addEventListener("keydown", (event) => { if (event.key === "Escape") shut(); });
  form.addEventListener("submit", (event) => { event.preventDefault(); submit(input.value); });
  again.addEventListener("click", async () => {
    try { sessionStorage.removeItem(KEPT); } catch { /* nothing kept */ }
    try { await begin(); } catch (error) { problem(error); }
    input.focus();
  });

  const attach = () => document.body.append(host);
  if (document.body) attach(); else document.addEventListener("DOMContentLoaded", attach);
})();
