// destek console: files on the case screen (docs/files-and-cc.md). A reply or a note may
// carry up to 5 files: they go from the browser straight to S3 through the case's presigned
// form (POST /cases/{id}/attachments, as the site does) and are named in the message
// (`attachment_ids`), which records them in its own write; a note's files stay internal.
// The case's files list previews images and PDFs inline (a short-lived S3 link the API gives
// as `preview_url`; the page's CSP lets img-src and frame-src reach the bucket). Imported by
// console.js, which hands in its helpers (`ui`); every text comes from the strings files.

export const MAX_FILES = 5;
const ACCEPT = "image/jpeg,image/png,image/gif,image/webp,image/heic,application/pdf,text/plain,video/mp4";

/** The file input a reply or note form carries; its files are uploaded when it is sent. */
export function filePicker(ui) {
  const { el, say } = ui;
  const input = el("input", { type: "file", name: "files", multiple: true, class: "case-file-input", accept: ACCEPT });
  const picked = el("ul", { class: "picked-files" });
  input.addEventListener("change", () => {
    const files = [...input.files];
    picked.replaceChildren(...files.map((f) => el("li", { text: f.name })));
    if (files.length > MAX_FILES) ui.problem(say("files_too_many", { n: MAX_FILES }));
  });
  return el("div", { class: "case-files-pick" }, ui.field(say("files_attach"), input), picked);
}

/** Upload what `form`'s picker holds to the case's S3 form, one file after another:
 *  `{attachment_ids}` to send with the message, {} when nothing was picked. Throws an Error
 *  whose message says which file failed (the API's own refusals arrive as its errors). */
export async function uploadPicked(ui, caseId, form) {
  const input = form.querySelector("input.case-file-input");
  const files = input ? [...input.files] : [];
  if (!files.length) return {};
  if (files.length > MAX_FILES) throw new Error(ui.say("files_too_many", { n: MAX_FILES }));
  const ids = [];
  for (const file of files) {
    const upload = await ui.api("POST", `/cases/${caseId}/attachments`,
      { filename: file.name, content_type: file.type || "application/octet-stream", size: file.size });
    const data = new FormData();
    for (const [k, v] of Object.entries(upload.fields)) data.append(k, v);
    data.append("file", file);
    const sent = await fetch(upload.url, { method: "POST", body: data }).catch(() => null);
    if (!sent || !sent.ok) throw new Error(ui.say("files_failed", { name: file.name }));
    ids.push(upload.attachment_id);
  }
  return { attachment_ids: ids };
}

/** The case's files: each a download link, marked when it is staff only, and an image or a
 *  PDF previewed inline. Null for a case without files. */
export function filesSection(ui, view) {
  const files = view.attachments || [];
  if (!files.length) return null;
  const { el, say } = ui;
  return el("section", { class: "case-files", "aria-label": say("files_title") },
    el("h2", { text: say("files") }),
    el("ul", {}, files.map((a) => el("li", { "data-file": a.id },
      el("a", { href: a.url || "#", text: a.filename }),
      a.internal ? el("span", { class: "badge", text: say("files_internal") }) : null,
      preview(ui, a)))));
}

function preview(ui, a) {
  if (!a.preview_url) return null;
  const label = ui.say("files_preview_of", { name: a.filename });
  if (a.content_type === "application/pdf") {
    return ui.el("iframe", { src: a.preview_url, title: label, class: "file-preview pdf", loading: "lazy" });
  }
  return ui.el("img", { src: a.preview_url, alt: label, class: "file-preview", loading: "lazy" });
}

/** The files a history line's reply or note carried (`data.attachment_ids`), as links, or
 *  null; a file no longer listed on the case is left out. */
export function messageFiles(ui, h, attachments) {
  const ids = (h.data && h.data.attachment_ids) || [];
  const files = ids.map((id) => (attachments || []).find((a) => a.id === id)).filter(Boolean);
  if (!files.length) return null;
  const { el, say } = ui;
  return el("p", { class: "reason message-files" }, say("files_on_message"), " ",
    ...files.flatMap((a, i) => [i ? ", " : "", el("a", { href: a.url || "#", text: a.filename })]));
}
