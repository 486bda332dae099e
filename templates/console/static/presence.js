// Presence on the case screen (docs/views-and-presence.md). While a case is on screen it says
// every 15 s that you are viewing it, or replying (text in the reply box): PUT
// /cases/{id}/presence answers who else is on it and the case's version now. Others are
// shown live above the case; when the case changed meanwhile the screen is drawn again if
// nothing is being written, else a banner offers to reload. A reply written on a version
// someone else has since changed asks first: send it anyway (on the new version) or reload.
// A closed case is read-only: its writing forms are taken away.

const POLL_MS = 15000;
let watching = null; // { caseId, timer }

/** Start watching the case drawn on screen (called by caseScreen, once per drawing). */
export function watchCase(ui, c) {
  if (watching) clearInterval(watching.timer);
  if (watching && watching.caseId !== c.id) leave(ui, watching.caseId);
  const state = { caseId: c.id, shown: c.version, replyFrom: null, timer: null };
  watching = state;
  const tick = () => poll(ui, c, state);
  state.timer = setInterval(tick, POLL_MS);
  // drawn once route() has put the screen in place (after the render it is called from)
  setTimeout(() => { setup(ui, c, state); tick(); }, 0);
}

function panel(c) {
  const found = document.querySelector("#view .case-panel");
  return found && found.dataset.version === String(c.version) ? found : null;
}

function setup(ui, c, state) {
  const screen = panel(c);
  if (!screen) return;
  if (c.status === "closed") readOnly(ui, screen);
  const reply = screen.querySelector("form.reply");
  if (!reply) return;
  // the version a reply was started on: the first key typed into an empty box
  reply.body.addEventListener("input", () => {
    if (!reply.body.value.trim()) state.replyFrom = null;
    else if (state.replyFrom === null) state.replyFrom = state.shown;
  });
  // asked before the form's own handler (capture on the panel, above the form): the case's
  // version now, then the reply goes on as it would have, or the agent is asked first
  screen.addEventListener("submit", async (event) => {
    if (event.target !== reply) return;
    if (reply.dataset.checked === "yes") { delete reply.dataset.checked; return; }
    event.preventDefault();
    event.stopImmediatePropagation();
    try {
      const now = await ui.api("PUT", `/cases/${c.id}/presence`, { mode: "replying" });
      state.latest = now.version;
    } catch { /* unknown: the send's own version check still refuses an overwrite */ }
    if (state.latest !== undefined && state.latest > (state.replyFrom ?? state.shown)) {
      staleWarning(ui, c, state, reply);
      return;
    }
    reply.dataset.checked = "yes";
    reply.requestSubmit();
  }, true);
}

function staleWarning(ui, c, state, reply) {
  const { el, say } = ui;
  reply.querySelector(".stale-reply")?.remove();
  const box = el("div", { class: "stale-reply", role: "alertdialog", "aria-label": say("stale_title") },
    el("p", { text: say("stale_reply", { n: state.latest - (state.replyFrom ?? state.shown) }) }),
    el("button", { type: "button", class: "send-anyway", text: say("stale_send_anyway"), onclick: async () => {
      try {
        await ui.api("POST", `/cases/${c.id}/replies`, { version: state.latest, body: reply.body.value });
        await ui.refresh();
        ui.notice(say("replied"));
      } catch (error) {
        ui.problem(ui.explain(error));
      }
    } }),
    el("button", { type: "button", class: "secondary", text: say("stale_reload"), onclick: () => ui.refresh() }));
  reply.append(box);
  box.querySelector("button").focus();
}

async function poll(ui, c, state) {
  if (watching !== state) return;
  const screen = panel(c);
  if (!screen && state.latest !== undefined) {
    // the screen moved on (another case, another page): stop, and say so at once
    clearInterval(state.timer);
    if (watching === state) watching = null;
    if (!location.hash.startsWith("#/case/")) leave(ui, c.id);
    return;
  }
  if (document.hidden) return;
  const reply = screen && screen.querySelector("form.reply");
  const mode = reply && reply.body.value.trim() ? "replying" : "viewing";
  let answer;
  try { answer = await ui.api("PUT", `/cases/${c.id}/presence`, { mode }); } catch { return; }
  if (watching !== state) return;
  state.latest = answer.version;
  if (screen) show(ui, screen, answer.others);
  if (answer.version > state.shown && screen) changedMeanwhile(ui, screen, state);
}

function show(ui, screen, others) {
  const { el, say } = ui;
  let bar = screen.querySelector(".presence");
  if (!bar) {
    bar = el("p", { class: "presence", role: "status", "aria-live": "polite" });
    screen.querySelector(".case-head")?.after(bar);
  }
  bar.replaceChildren(...others.map((o) => el("span", { class: `present ${o.mode}`,
    text: say(o.mode === "replying" ? "presence_replying" : "presence_viewing", { name: ui.staffName(o.username) }) })));
  bar.hidden = !others.length;
}

// the case moved on: drawn again when nothing is being written on it, else a banner says so
function changedMeanwhile(ui, screen, state) {
  const writing = [...screen.querySelectorAll("textarea")].some((t) => t.value.trim()) ||
    (screen.contains(document.activeElement) && ["TEXTAREA", "INPUT", "SELECT"].includes(document.activeElement.tagName));
  if (!writing) { ui.refresh(); return; }
  if (screen.querySelector(".changed-meanwhile")) return;
  const { el, say } = ui;
  screen.querySelector(".case-head")?.after(el("p", { class: "changed-meanwhile", role: "status" },
    say("changed_meanwhile"), " ", el("button", { type: "button", class: "secondary", text: say("stale_reload"), onclick: () => ui.refresh() })));
  state.warned = true;
}

function leave(ui, caseId) {
  ui.api("DELETE", `/cases/${caseId}/presence`).catch(() => null);
}

// a closed case takes no more writing: only what is still allowed on it (a rating, a call)
function readOnly(ui, screen) {
  for (const form of screen.querySelectorAll("form.reply, form.note, form.status-form, form.fields-form, form.assign-form, form.tag-form, form.custom-fields-form, .case-macros, .tag-remove, #claim")) form.remove();
  if (!screen.querySelector(".read-only")) {
    screen.querySelector(".case-head")?.after(ui.el("p", { class: "read-only", text: ui.say("case_read_only") }));
  }
}
