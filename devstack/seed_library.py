"""Demo checklists and e-library documents for the local stack (devstack/seed.py calls it).

The documents are small PDFs written here, at seed time (one page, one line of text each),
stored where an upload would put them and described as an editor would; one is internal,
so the site's library shows that internal documents stay off it.
"""

from __future__ import annotations

from chalicelib import wiring
from chalicelib.domain.cases import SYSTEM
from chalicelib.domain.checklists import ChecklistInput, StepInput, revise
from chalicelib.domain.clock import utcnow
from chalicelib.domain.library import LibraryDocument

#: the seeded rule "İade ve değişim" and the category "Arıza" (devstack/seed.py)
CHECKLISTS = [
    ("k-demo-iade", "İade kabul kontrolleri", None, "r-demo-3",
     ["Fatura ya da sipariş numarası alındı", "Ürün 14 gün içinde gönderilmiş",
      "Ambalaj ve aksesuarlar tam", "Seri numarası kayıtla eşleşiyor"]),
    ("k-demo-ariza", "Arıza ön kontrolleri", "k-ariza", None,
     ["Garanti süresi kontrol edildi", "Müşteriden fotoğraf ya da video istendi",
      "Yetkili servis yönlendirmesi yapıldı"]),
]  # fmt: skip

#: id, title, description, category, language, visibility, filename, the page's line
DOCUMENTS = [
    ("d-demo-iade-formu", "İade formu", "Ürün iadesi için doldurup kutuya koyun.", "forms",
     "tr", "public", "iade-formu.pdf", "Iade formu - destek demo"),
    ("d-demo-garanti", "Garanti koşulları", "Garanti kapsamı ve süreleri.", "info", "tr",
     "public", "garanti-kosullari.pdf", "Garanti kosullari - destek demo"),
    ("d-demo-manual-en", "User manual (vacuum cleaner)", "Setup, cleaning and care.", "manuals",
     "en", "public", "user-manual.pdf", "User manual - destek demo"),
    ("d-demo-ic-surec", "İade süreci (iç)", "Temsilciler için adım adım iade süreci.", "internal",
     "tr", "internal", "iade-sureci.pdf", "Ic surec - destek demo"),
]  # fmt: skip


def tiny_pdf(line: str) -> bytes:
    """A one-page PDF 1.4 saying `line` (ASCII) in Helvetica, with a correct xref table."""
    text = line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
    stream = f"BT /F1 18 Tf 72 760 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, xref)  # fmt: skip
    return bytes(out)


def seed_library() -> None:
    """Write the demo checklists and documents (again: a checklist already there is kept)."""
    store, now = wiring.checklist_store(), utcnow()
    for checklist_id, name, category, rule, steps in CHECKLISTS:
        if store.current(checklist_id) is not None:
            continue
        given = ChecklistInput(name=name, category_id=category, routing_rule_id=rule,
                               steps=[StepInput(text=s) for s in steps])  # fmt: skip
        store.save(revise(None, checklist_id, given, now, "selin"))
    from chalicelib.store.library import DynamoLibraryStore

    documents, files = DynamoLibraryStore(wiring.table()), wiring.library_files()
    for doc_id, title, about, category, language, visibility, filename, line in DOCUMENTS:
        if documents.get(doc_id) is not None:
            continue
        content = tiny_pdf(line)
        files.put(doc_id, filename, "application/pdf", content)
        documents.add(LibraryDocument(
            id=doc_id, title=title, description=about, category=category, language=language,
            visibility=visibility, filename=filename, content_type="application/pdf",
            size=len(content), status="ready", created_at=now, created_by=SYSTEM,
            updated_at=now, updated_by=SYSTEM,
        ))  # fmt: skip
