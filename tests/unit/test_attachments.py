"""Upload limits and file names, without AWS."""

from __future__ import annotations

import pytest

from chalicelib.domain.attachments import MAX_BYTES, check_upload, safe_filename
from chalicelib.domain.errors import InvalidInput, PayloadTooLarge


@pytest.mark.parametrize(
    ("name", "kind", "size"),
    [("fatura.pdf", "application/pdf", 1), ("IMG_001.JPG", "image/jpeg", MAX_BYTES),
     ("kutu.jpeg", "image/jpeg", 10), ("not.txt", "text/plain", 5)],
)  # fmt: skip
def test_allowed_files_pass(name, kind, size):
    check_upload(name, kind, size)


@pytest.mark.parametrize(
    ("name", "kind", "size", "error"),
    [("big.mp4", "video/mp4", MAX_BYTES + 1, PayloadTooLarge),
     ("page.html", "text/html", 10, InvalidInput),
     ("image.svg", "image/svg+xml", 10, InvalidInput),
     ("virus.exe", "image/png", 10, InvalidInput),
     ("photo.png.exe", "image/png", 10, InvalidInput)],
)  # fmt: skip
def test_refused_files_say_why(name, kind, size, error):
    with pytest.raises(error):
        check_upload(name, kind, size)


@pytest.mark.parametrize(
    ("given", "kept"),
    [("C:\\Users\\ayşe\\fatura.pdf", "fatura.pdf"), ("../../etc/passwd", "passwd"),
     ('a"b\x00c.png', "abc.png"), ("...", "dosya"), ("İade formu.pdf", "İade formu.pdf")],
)  # fmt: skip
def test_file_names_lose_paths_and_control_characters(given, kept):
    assert safe_filename(given) == kept
