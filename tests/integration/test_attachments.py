"""Files on a case: a presigned form, a real multipart POST to S3, then confirmation."""

from __future__ import annotations

import requests

from chalicelib.domain.attachments import MAX_BYTES

PDF = b"%PDF-1.4\n% fatura\n" + b"0" * 2048


def my_case(as_role) -> dict:
    answer = as_role("customer").post(
        "/my/cases", {"type": "request", "subject": "Fatura", "description": "Fatura ekte"}
    )
    assert answer.status == 201, answer
    return answer.body


def upload(form: dict, content: bytes, filename: str = "x") -> int:
    response = requests.post(
        form["url"], data=form["fields"], files={"file": (filename, content)}, timeout=10
    )
    return response.status_code


def test_a_customer_attaches_a_file_both_sides_see_it_and_can_download_it(as_role):
    case = my_case(as_role)
    ahmet = as_role("customer")
    asked = ahmet.post(
        f"/cases/{case['id']}/attachments",
        {"filename": "C:\\belgeler\\fatura_şubat.pdf", "content_type": "application/pdf",
         "size": len(PDF)},
    )  # fmt: skip
    assert asked.status == 201, asked
    form = asked.body
    assert form["max_bytes"] == MAX_BYTES
    assert upload(form, PDF) in (200, 204)
    confirmed = ahmet.post(f"/cases/{case['id']}/attachments/{form['attachment_id']}")
    assert confirmed.status == 200, confirmed
    assert confirmed.body["filename"] == "fatura_şubat.pdf" and confirmed.body["size"] == len(PDF)
    again = ahmet.post(f"/cases/{case['id']}/attachments/{form['attachment_id']}")
    assert again.status == 200 and again.body["id"] == confirmed.body["id"]

    for role in ("customer", "agent"):
        files = as_role(role).get(f"/cases/{case['id']}").body["attachments"]
        assert [f["filename"] for f in files] == ["fatura_şubat.pdf"]
        download = requests.get(files[0]["url"], timeout=10)
        assert download.status_code == 200 and download.content == PDF
        assert download.headers["Content-Disposition"].startswith("attachment")


def test_oversize_and_forbidden_files_are_refused_before_any_upload(as_role):
    case = my_case(as_role)
    ahmet = as_role("customer")
    too_big = ahmet.post(f"/cases/{case['id']}/attachments",
                         {"filename": "video.mp4", "content_type": "video/mp4",
                          "size": MAX_BYTES + 1})  # fmt: skip
    assert too_big.status == 413, too_big
    page = ahmet.post(
        f"/cases/{case['id']}/attachments",
        {"filename": "a.html", "content_type": "text/html", "size": 10},
    )
    assert page.status == 422, page
    lying = ahmet.post(
        f"/cases/{case['id']}/attachments",
        {"filename": "a.exe", "content_type": "image/png", "size": 10},
    )
    assert lying.status == 422, lying


def test_an_upload_bigger_than_declared_is_discarded_at_confirmation(as_role):
    """moto's S3 does not enforce the form's size policy; the confirmation does."""
    case = my_case(as_role)
    ahmet = as_role("customer")
    form = ahmet.post(
        f"/cases/{case['id']}/attachments",
        {"filename": "foto.jpg", "content_type": "image/jpeg", "size": 100},
    ).body
    upload(form, b"\xff" * (MAX_BYTES + 10))
    refused = ahmet.post(f"/cases/{case['id']}/attachments/{form['attachment_id']}")
    assert refused.status == 413, refused
    assert ahmet.get(f"/cases/{case['id']}").body["attachments"] == []
    gone = ahmet.post(f"/cases/{case['id']}/attachments/{form['attachment_id']}")
    assert gone.status == 404


def test_another_customers_case_takes_no_files_and_unknown_uploads_are_not_found(as_role):
    case = my_case(as_role)
    body = {"filename": "a.png", "content_type": "image/png", "size": 10}
    assert as_role("other_customer").post(f"/cases/{case['id']}/attachments", body).status == 404
    confirm = as_role("customer").post(f"/cases/{case['id']}/attachments/f-nothing")
    assert confirm.status == 404
