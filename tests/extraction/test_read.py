"""Specification of extraction/read.py: turning a report file into text, or a clear error."""

from __future__ import annotations

import logging
import random
import re
import struct
import zlib
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

from incident_kg.errors import ReportReadError
from incident_kg.extraction.read import (
    REPORT_SUFFIXES,
    RawReport,
    decode_text,
    iter_report_files,
    read_report,
)

SENTENCE = "令和5年8月、区役所の窓口でマイナンバーカードを別人に誤って交付した。"
HIRAGANA_ONLY = "まどぐちで　ほんにんかくにんを　しなかった。"
CID_FONT = "HeiseiKakuGo-W5"


# --------------------------------------------------------------------------- helpers


def write(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def make_pdf(path: Path, pages: list[str]) -> Path:
    """A PDF with one line of Japanese text per page ("" gives a blank page)."""
    pdfmetrics.registerFont(UnicodeCIDFont(CID_FONT))
    pdf = canvas.Canvas(str(path), pagesize=A4)
    for line in pages:
        if line:
            pdf.setFont(CID_FONT, 12)
            pdf.drawString(72, 760, line)
        pdf.showPage()
    pdf.save()
    return path


def png_bytes() -> bytes:
    """A PNG signature and IHDR chunk followed by random (seeded) bytes."""
    ihdr = struct.pack(">IIBBBBB", 16, 16, 8, 2, 0, 0, 0)
    chunk = struct.pack(">I", len(ihdr)) + b"IHDR" + ihdr
    chunk += struct.pack(">I", zlib.crc32(b"IHDR" + ihdr))
    return b"\x89PNG\r\n\x1a\n" + chunk + random.Random(7).randbytes(512)


def random_high_bytes(size: int, seed: int = 42) -> bytes:
    """Seeded random bytes, all ≥ 0x80: no NUL or control byte, not valid in any encoding."""
    rng = random.Random(seed)
    return bytes(rng.randrange(0x80, 0x100) for _ in range(size))


def without_whitespace(text: str) -> str:
    return re.sub(r"\s+", "", text)


def mostly_printable(text: str) -> bool:
    """The spec's notion of text: ≥ 95 % of the non-whitespace characters printable."""
    visible = [c for c in text if not (c.isspace() and (c.isprintable() or c in "\t\n\r\f\v"))]
    visible = [c for c in visible if c not in "\u3000\u2028\u2029"]
    printable = sum(1 for c in visible if c.isprintable())
    return not visible or printable >= 0.95 * len(visible)


# --------------------------------------------------------------------------- text encodings


def test_utf8_without_bom_is_read_as_utf8_plain_text(tmp_path: Path) -> None:
    path = write(tmp_path / "report.txt", SENTENCE.encode("utf-8"))

    report = read_report(path)

    assert report == RawReport(path, SENTENCE, "utf-8", "text/plain")


def test_utf8_with_bom_is_read_as_utf8_sig_without_the_bom(tmp_path: Path) -> None:
    path = write(tmp_path / "report.txt", SENTENCE.encode("utf-8-sig"))

    report = read_report(path)

    assert (report.text, report.encoding) == (SENTENCE, "utf-8-sig")


def test_shift_jis_report_is_read_as_cp932(tmp_path: Path) -> None:
    text = "マイナンバーカードの交付時に本人確認を省略し、①の手順書を改訂した。"
    path = write(tmp_path / "report.txt", text.encode("cp932"))

    report = read_report(path)

    assert (report.text, report.encoding) == (text, "cp932")


def test_euc_jp_report_is_read_as_euc_jp(tmp_path: Path) -> None:
    path = write(tmp_path / "report.txt", SENTENCE.encode("euc-jp"))

    report = read_report(path)

    assert (report.text, report.encoding) == (SENTENCE, "euc-jp")


def test_euc_jp_that_also_decodes_as_cp932_prefers_the_reading_that_looks_japanese(
    tmp_path: Path,
) -> None:
    data = HIRAGANA_ONLY.encode("euc-jp")
    data.decode("cp932")  # precondition: valid CP932 too (as half-width katakana)
    path = write(tmp_path / "report.txt", data)

    report = read_report(path)

    assert (report.text, report.encoding) == (HIRAGANA_ONLY, "euc-jp")


def test_iso_2022_jp_report_is_read_as_iso_2022_jp(tmp_path: Path) -> None:
    path = write(tmp_path / "report.txt", SENTENCE.encode("iso-2022-jp"))

    report = read_report(path)

    assert (report.text, report.encoding) == (SENTENCE, "iso-2022-jp")


def test_utf16_with_bom_is_read_as_utf16(tmp_path: Path) -> None:
    path = write(tmp_path / "report.txt", SENTENCE.encode("utf-16"))

    report = read_report(path)

    assert (report.text, report.encoding) == (SENTENCE, "utf-16")


@pytest.mark.parametrize("suffix", [".md", ".markdown", ".MD"])
def test_markdown_is_returned_verbatim_as_text_markdown(tmp_path: Path, suffix: str) -> None:
    text = "# 事案の概要\n\n" + SENTENCE + "\n\n## 原因\n\n- 確認不足\n"
    path = write(tmp_path / f"report{suffix}", text.encode("utf-8"))

    report = read_report(path)

    assert (report.text, report.media_type) == (text, "text/markdown")


def test_text_is_not_normalised(tmp_path: Path) -> None:
    text = "ﾏｲﾅﾝﾊﾞｰ　ＡＢＣ\r\n  令和５年  \r\n"
    path = write(tmp_path / "report.txt", text.encode("utf-8"))

    assert read_report(path).text == text


# --------------------------------------------------------------------------- rejected text files


def test_empty_file_is_rejected_as_empty(tmp_path: Path) -> None:
    path = write(tmp_path / "empty.txt", b"")

    with pytest.raises(ReportReadError) as caught:
        read_report(path)

    assert (caught.value.kind, caught.value.message) == ("empty", "file is empty")


@pytest.mark.parametrize(
    "data",
    [b" \n\t\r\n  ", "\u3000\u3000\n".encode(), "\ufeff  \n".encode()],
    ids=["ascii-whitespace", "ideographic-spaces", "bom-and-spaces"],
)
def test_whitespace_only_file_is_rejected_as_empty(tmp_path: Path, data: bytes) -> None:
    path = write(tmp_path / "blank.txt", data)

    with pytest.raises(ReportReadError) as caught:
        read_report(path)

    assert caught.value.kind == "empty"


def test_binary_file_with_text_suffix_is_rejected_as_binary(tmp_path: Path) -> None:
    path = write(tmp_path / "photo.txt", png_bytes())

    with pytest.raises(ReportReadError) as caught:
        read_report(path)

    assert caught.value.kind == "binary"
    assert caught.value.message == "not a text report: looks like binary data"


def test_many_control_bytes_without_nul_are_rejected_as_binary(tmp_path: Path) -> None:
    path = write(tmp_path / "data.txt", b"ab\x01\x02\x03cd\x1a\x7f" * 100)

    with pytest.raises(ReportReadError) as caught:
        read_report(path)

    assert caught.value.kind == "binary"


def test_utf16_without_bom_is_rejected(tmp_path: Path) -> None:
    path = write(tmp_path / "report.txt", SENTENCE.encode("utf-16-le"))

    with pytest.raises(ReportReadError) as caught:
        read_report(path)

    assert caught.value.kind in {"encoding", "binary"}


def test_random_high_bytes_are_rejected_as_unknown_encoding(tmp_path: Path) -> None:
    path = write(tmp_path / "report.txt", random_high_bytes(4000))

    with pytest.raises(ReportReadError) as caught:
        read_report(path)

    assert caught.value.kind == "encoding"
    assert caught.value.message.startswith(
        "unknown text encoding (tried UTF-8, Shift_JIS/CP932, EUC-JP)"
    )


def test_cp932_text_full_of_private_use_characters_is_rejected(tmp_path: Path) -> None:
    data = "報告".encode("cp932") + b"\xf0\x40" * 50  # user-defined area → private use
    path = write(tmp_path / "report.txt", data)

    with pytest.raises(ReportReadError) as caught:
        read_report(path)

    assert caught.value.kind == "encoding"


def test_file_larger_than_max_bytes_is_rejected_as_too_large(tmp_path: Path) -> None:
    path = write(tmp_path / "big.txt", SENTENCE.encode("utf-8"))

    with pytest.raises(ReportReadError) as caught:
        read_report(path, max_bytes=10)

    assert caught.value.kind == "too-large"


def test_file_of_exactly_max_bytes_is_accepted(tmp_path: Path) -> None:
    data = SENTENCE.encode("utf-8")
    path = write(tmp_path / "report.txt", data)

    assert read_report(path, max_bytes=len(data)).text == SENTENCE


def test_missing_file_is_rejected_as_missing(tmp_path: Path) -> None:
    with pytest.raises(ReportReadError) as caught:
        read_report(tmp_path / "nowhere.txt")

    assert caught.value.kind == "missing"


def test_folder_given_as_report_is_rejected_as_not_a_file(tmp_path: Path) -> None:
    with pytest.raises(ReportReadError) as caught:
        read_report(tmp_path)

    assert caught.value.kind == "not-a-file"
    assert "a folder" in caught.value.message


# --------------------------------------------------------------------------- decode_text


def test_decode_text_returns_text_and_encoding() -> None:
    assert decode_text(SENTENCE.encode("cp932"), path=Path("r.txt")) == (SENTENCE, "cp932")


def test_decode_text_names_the_file_in_its_error() -> None:
    with pytest.raises(ReportReadError) as caught:
        decode_text(b"\x00\x01\x02", path=Path("folder/scan.txt"))

    assert caught.value.path == "folder/scan.txt"


@settings(max_examples=200, deadline=None)
@given(
    head=st.binary(max_size=64),
    high=st.binary(min_size=1, max_size=16).map(lambda b: bytes(0x80 | x for x in b)),
    control=st.sampled_from([*range(0x00, 0x09), 0x0B, *range(0x0E, 0x20), 0x7F]),
    tail=st.binary(max_size=64),
)
def test_random_bytes_are_decoded_as_printable_text_or_rejected(
    head: bytes, high: bytes, control: int, tail: bytes
) -> None:
    data = head + high + bytes([control]) + tail
    try:
        text, encoding = decode_text(data, path=Path("random.txt"))
    except ReportReadError as error:
        assert error.kind in {"empty", "binary", "encoding"}
        assert "random.txt" in str(error)
        return
    assert mostly_printable(text)
    assert data.decode(encoding) == text


# --------------------------------------------------------------------------- PDF


def test_pdf_text_layer_is_read_with_japanese_text(tmp_path: Path) -> None:
    path = make_pdf(tmp_path / "report.pdf", [SENTENCE])

    report = read_report(path)

    assert (report.encoding, report.media_type) == ("pdf", "application/pdf")
    assert without_whitespace(SENTENCE) in without_whitespace(report.text)


def test_pdf_pages_are_joined_by_a_blank_line(tmp_path: Path) -> None:
    path = make_pdf(tmp_path / "report.pdf", ["第一頁の本文", "第二頁の本文"])

    report = read_report(path)

    assert [without_whitespace(page) for page in report.text.split("\n\n")] == [
        "第一頁の本文",
        "第二頁の本文",
    ]


def test_pdf_is_recognised_by_content_whatever_its_suffix(tmp_path: Path) -> None:
    source = make_pdf(tmp_path / "made.pdf", [SENTENCE])
    path = write(tmp_path / "report.txt", source.read_bytes())

    assert read_report(path).media_type == "application/pdf"


def test_pdf_without_text_is_rejected_as_no_text_layer(tmp_path: Path) -> None:
    path = make_pdf(tmp_path / "scan.pdf", [""])

    with pytest.raises(ReportReadError) as caught:
        read_report(path)

    assert caught.value.kind == "no-text-layer"
    assert caught.value.message == "PDF has no text layer (scanned image?); run OCR first"


def test_corrupt_pdf_is_rejected_as_unreadable_pdf(tmp_path: Path) -> None:
    garbage = random.Random(3).randbytes(2000)
    path = write(tmp_path / "broken.pdf", b"%PDF-1.7\n" + garbage)

    with pytest.raises(ReportReadError) as caught:
        read_report(path)

    assert caught.value.kind == "unreadable-pdf"


def test_text_file_with_pdf_suffix_is_rejected_as_unreadable_pdf(tmp_path: Path) -> None:
    path = write(tmp_path / "report.pdf", SENTENCE.encode("utf-8"))

    with pytest.raises(ReportReadError) as caught:
        read_report(path)

    assert caught.value.kind == "unreadable-pdf"


def test_reading_a_pdf_leaves_the_pdfminer_log_level_as_it_was(tmp_path: Path) -> None:
    path = make_pdf(tmp_path / "report.pdf", [SENTENCE])
    pdfminer_logger = logging.getLogger("pdfminer")
    before = pdfminer_logger.level

    read_report(path)

    assert pdfminer_logger.level == before


# --------------------------------------------------------------------------- error messages


ErrorCase = Callable[[Path], Path]

ERROR_CASES: dict[str, ErrorCase] = {
    "missing": lambda d: d / "absent report.txt",
    "empty": lambda d: write(d / "empty report.txt", b""),
    "too-large": lambda d: write(d / "big report.txt", b"x" * 200),
    "binary": lambda d: write(d / "image report.txt", png_bytes()),
    "encoding": lambda d: write(d / "odd report.txt", random_high_bytes(99)),
    "no-text-layer": lambda d: make_pdf(d / "scanned report.pdf", [""]),
    "unreadable-pdf": lambda d: write(d / "broken report.pdf", b"%PDF-1.4\n\x00garbage"),
}


@pytest.mark.parametrize("kind", sorted(ERROR_CASES))
def test_every_error_names_the_file_in_one_line(tmp_path: Path, kind: str) -> None:
    path = ERROR_CASES[kind](tmp_path)

    with pytest.raises(ReportReadError) as caught:
        read_report(path, max_bytes=100 if kind == "too-large" else 20_000_000)

    assert caught.value.kind == kind
    assert path.name in str(caught.value)
    assert "\n" not in str(caught.value)


# --------------------------------------------------------------------------- logging


def test_reading_logs_name_size_and_encoding_but_never_content(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    data = SENTENCE.encode("cp932")
    path = write(tmp_path / "report.txt", data)

    with caplog.at_level(logging.DEBUG, logger="incident_kg.extraction.read"):
        read_report(path)

    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "report.txt" in logged and str(len(data)) in logged and "cp932" in logged
    assert "マイナンバー" not in logged and "窓口" not in logged


# --------------------------------------------------------------------------- iter_report_files


def test_folders_are_walked_recursively_for_report_files_in_sorted_order(tmp_path: Path) -> None:
    for name in [
        "b.txt",
        "a.md",
        "sub/c.pdf",
        "sub/deeper/d.markdown",
        "sub/E.TXT",
        "notes.docx",
        "image.png",
        ".hidden.txt",
        ".git/config.txt",
        "sub/.cache/e.md",
    ]:
        write(tmp_path / name, b"x")

    found = list(iter_report_files([tmp_path]))

    assert found == [
        tmp_path / "a.md",
        tmp_path / "b.txt",
        tmp_path / "sub" / "E.TXT",
        tmp_path / "sub" / "c.pdf",
        tmp_path / "sub" / "deeper" / "d.markdown",
    ]


def test_a_hidden_folder_given_explicitly_is_walked(tmp_path: Path) -> None:
    path = write(tmp_path / ".inbox" / "report.txt", b"x")

    assert list(iter_report_files([tmp_path / ".inbox"])) == [path]


def test_a_folders_readme_is_not_taken_for_a_report_unless_given_by_name(
    tmp_path: Path,
) -> None:
    """Regression (newcomer walk-through): `build samples` read samples/README.md as a report
    and refused each set's README.md as "the same file name"."""
    report = write(tmp_path / "set" / "reports" / "r1.txt", b"x")
    readme = write(tmp_path / "set" / "README.md", b"# about this set")
    write(tmp_path / "readme.txt", b"x")

    assert list(iter_report_files([tmp_path])) == [report]
    assert list(iter_report_files([readme])) == [readme]


def test_files_given_explicitly_are_kept_whatever_their_suffix(tmp_path: Path) -> None:
    path = write(tmp_path / "export.csv", b"x")

    assert list(iter_report_files([path])) == [path]


def test_files_found_twice_are_yielded_once_and_all_sorted(tmp_path: Path) -> None:
    first = write(tmp_path / "reports" / "a.txt", b"x")
    second = write(tmp_path / "reports" / "b.txt", b"x")

    found = list(iter_report_files([second, tmp_path / "reports", first]))

    assert found == [first, second]


def test_a_missing_path_is_rejected_as_missing(tmp_path: Path) -> None:
    write(tmp_path / "a.txt", b"x")

    with pytest.raises(ReportReadError) as caught:
        list(iter_report_files([tmp_path, tmp_path / "gone"]))

    assert caught.value.kind == "missing"
    assert caught.value.message == "no such file or directory"
    assert "gone" in str(caught.value)


def test_report_suffixes_are_the_four_supported_kinds() -> None:
    assert REPORT_SUFFIXES == (".txt", ".md", ".markdown", ".pdf")
