"""The edge of the pipeline: turn a report file (text, Markdown, PDF) into text.

Everything that can go wrong with an input file is raised here as a
:class:`~incident_kg.errors.ReportReadError` naming the file, with a ``kind``
(``missing``, ``empty``, ``too-large``, ``binary``, ``encoding``,
``no-text-layer``, ``unreadable-pdf``) and a one-line message a clerk can act on.

Reports may hold personal data: this module logs file names, sizes, encodings
and exception types, never the text.

Decoding order for text files:

1. a byte-order mark (UTF-8 → ``utf-8-sig``; UTF-32/UTF-16 → ``utf-32``/``utf-16``);
2. binary sniffing (NUL bytes or many control bytes in the first 8 KB);
3. strict UTF-8; ISO-2022-JP when its escape sequences are present; strict CP932
   and strict EUC-JP — when both of the last two decode, the one that reads more
   like Japanese wins (EUC-JP text often decodes as CP932 half-width katakana);
4. charset-normalizer's best guess, only with a low mess ratio and either a high
   coherence or a Japanese/Unicode encoding (its coherence is 0.0 for Japanese).

Every candidate must also look like text: at least 95 % of its non-whitespace
characters printable.  Random bytes can decode as CP932; this check rejects them.
"""

from __future__ import annotations

import codecs
import io
import itertools
import logging
import os
import unicodedata
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import charset_normalizer
import pdfplumber
from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect

from incident_kg.errors import ReportReadError
from incident_kg.files import kind_of, read_bounded

logger = logging.getLogger(__name__)

REPORT_SUFFIXES: tuple[str, ...] = (".txt", ".md", ".markdown", ".pdf")
MARKDOWN_SUFFIXES: tuple[str, ...] = (".md", ".markdown")
DEFAULT_MAX_BYTES = 20_000_000
#: Longest report text read (characters).  Building a report holds its triples, their
#: inferences and their N-Triples in memory at once: measured (benchmarks/report_memory.py,
#: benchmarks/RESULTS.md) about 1 KB a character, so a report at this limit takes some
#: 600 MB to build (the extractor's ~220 MB included); 20 MB of text would take some 14 GB.
#: The longest real report seen has 5,500 characters.
DEFAULT_MAX_CHARS = 400_000

MEDIA_TEXT = "text/plain"
MEDIA_MARKDOWN = "text/markdown"
MEDIA_PDF = "application/pdf"

#: Bytes inspected by the binary sniffer.
SNIFF_BYTES = 8192
#: Above this share of control bytes (other than tab, LF, CR, FF) data is binary.
MAX_CONTROL_SHARE = 0.05
#: A decoded text must have at least this share of printable non-whitespace characters.
MIN_PRINTABLE_SHARE = 0.95
#: charset-normalizer's guess is used only below this mess ratio …
MAX_GUESS_CHAOS = 0.1
#: … and with at least this coherence, unless the encoding is Japanese or Unicode.
MIN_GUESS_COHERENCE = 0.5
#: Encodings whose charset-normalizer coherence is meaningless (always 0.0 for Japanese).
_TRUSTED_GUESS_PREFIXES: tuple[str, ...] = ("utf", "iso2022_jp", "shift_jis", "euc_j", "cp932")

_PDF_MAGIC = b"%PDF-"
_PDF_MAGIC_WINDOW = 1024
_ALLOWED_CONTROL_BYTES = frozenset(b"\t\n\r\f")
_ISO2022_JP_MARKERS = (b"\x1b$B", b"\x1b$@", b"\x1b(J", b"\x1b(I")
_WHITESPACE_CONTROLS = frozenset("\t\n\r\f\v")
_SEPARATOR_CATEGORIES = frozenset({"Zs", "Zl", "Zp"})
_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_TRIED = "tried UTF-8, Shift_JIS/CP932, EUC-JP"


@dataclass(frozen=True)
class RawReport:
    """A report file read into text, before any normalisation.

    ``text`` is the decoded text (for a PDF, the pages' text joined with a blank
    line); ``encoding`` is the codec used (``"pdf"`` for PDFs); ``media_type`` is
    ``text/plain``, ``text/markdown`` or ``application/pdf``.
    """

    path: Path
    text: str
    encoding: str
    media_type: str


# --------------------------------------------------------------------------- files


def iter_report_files(paths: Iterable[Path]) -> Iterator[Path]:
    """Yield the report files named by *paths*, sorted and without duplicates.

    A file is yielded as given, whatever its suffix.  A folder is walked
    recursively for files ending in :data:`REPORT_SUFFIXES` (case-insensitive),
    skipping hidden files and folders (names starting with ``.``) below it.
    A path that does not exist raises ``ReportReadError(kind="missing")`` before
    anything is yielded.  :func:`find_report_files` also says what it skipped.
    """
    found, _skipped = find_report_files(paths, strict=True)
    yield from found


#: Kinds of skipped paths that are a choice, not a failure (reported as warnings).
SKIP_WARNINGS = frozenset({"hidden", "symlinked-folder"})


def find_report_files(
    paths: Iterable[Path], *, strict: bool = False
) -> tuple[list[Path], list[ReportReadError]]:
    """The report files named by *paths* (as :func:`iter_report_files`), and every path
    with a report's name that was skipped, each with its reason: hidden, a symlink to
    nothing, a FIFO, a device or a socket, a symlink to a folder (not followed), a folder
    that cannot be listed, a given path that does not exist.  ``strict``: raise the first
    missing given path instead."""
    found: dict[str, Path] = {}
    skipped: list[ReportReadError] = []
    for given in paths:
        path = Path(given)
        if path.is_dir():
            for real, candidate in _walk_folder(path, skipped):
                found.setdefault(real, candidate)
        else:
            try:
                candidate = _existing_file(path)
            except ReportReadError as exc:
                if strict:
                    raise
                skipped.append(exc)
                continue
            found.setdefault(os.path.realpath(candidate), candidate)
    return sorted(found.values()), sorted(skipped, key=lambda e: e.path)


def _existing_file(path: Path) -> Path:
    """Return *path* if it exists, else raise ``missing``."""
    if not path.exists():
        if path.is_symlink():
            raise ReportReadError(path, "missing", "a symlink to nothing (its target is gone)")
        raise ReportReadError(path, "missing", "no such file or directory")
    return path


def _walk_folder(root: Path, skipped: list[ReportReadError]) -> list[tuple[str, Path]]:
    """Report files under *root* as (real path, path as found), hidden names skipped,
    symlinked folders not followed; what was skipped with a report's name (or a folder)
    is added to *skipped* with its reason.

    One ``scandir`` per folder and one ``realpath`` per folder (per file only for a file
    that is a symlink): a folder of ten thousand reports is listed in a fraction of the time
    a ``stat`` and a ``resolve`` per file take."""
    files: list[tuple[str, Path]] = []
    folders = [root]
    while folders:
        folder = folders.pop()
        real_folder = os.path.realpath(folder)
        try:
            with os.scandir(folder) as listing:
                entries = list(listing)
        except OSError as exc:
            reason = (exc.strerror or str(exc)).lower()
            skipped.append(ReportReadError(folder, "unreadable", f"folder not read: {reason}"))
            continue
        for entry in entries:
            candidate = folder / entry.name
            skip = _skip_reason(entry)
            if skip is not None:
                if skip[0] != "ignored":
                    skipped.append(ReportReadError(candidate, *skip))
                continue
            if entry.is_dir(follow_symlinks=False):
                folders.append(candidate)
                continue
            real = (
                os.path.realpath(candidate)
                if entry.is_symlink()
                else os.path.join(real_folder, entry.name)
            )
            files.append((real, candidate))
    logger.debug("folder %s: %d report files", root.name, len(files))
    return files


def _skip_reason(entry: os.DirEntry[str]) -> tuple[str, str] | None:
    """Why a folder entry is not walked or read, as (kind, message); ``("ignored", "")``
    for a file that is no report by its name; None to take it (a folder to walk, a report
    file)."""
    name = entry.name
    report_name = name.lower().endswith(REPORT_SUFFIXES)
    try:
        is_dir = entry.is_dir(follow_symlinks=False)
        if name.startswith("."):
            if is_dir:
                return "hidden", "hidden folder: not walked (its name starts with a dot)"
            if report_name:
                return "hidden", "hidden file: not read (its name starts with a dot)"
            return "ignored", ""
        if is_dir:
            return None
        if entry.is_symlink() and entry.is_dir():
            return "symlinked-folder", "a symlink to a folder: not followed (give the folder)"
        if not report_name or _is_readme(name):
            return "ignored", ""
        if entry.is_file():
            return None
        if entry.is_symlink() and not os.path.exists(entry.path):
            return "missing", "a symlink to nothing (its target is gone)"
        return "not-a-file", f"{kind_of(entry.stat().st_mode)}, not a file: not read"
    except OSError as exc:
        return "unreadable", f"cannot examine it: {(exc.strerror or str(exc)).lower()}"


def _is_readme(name: str) -> bool:
    """A folder's README (README.md, readme.txt…) describes the folder: in a folder walk it
    is not taken for a report (given by name, it is read like any file)."""
    return name.rsplit(".", 1)[0].lower() == "readme"


def _is_report_name(name: str) -> bool:
    """True for a visible file name with one of :data:`REPORT_SUFFIXES`."""
    return not name.startswith(".") and name.lower().endswith(REPORT_SUFFIXES)


# --------------------------------------------------------------------------- reading


def read_report(
    path: Path, *, max_bytes: int = DEFAULT_MAX_BYTES, max_chars: int = DEFAULT_MAX_CHARS
) -> RawReport:
    """Read one report file into a :class:`RawReport`.

    PDFs are recognised by their ``%PDF-`` header or by the ``.pdf`` suffix;
    anything else is decoded as text (see :func:`decode_text`).  Raises
    :class:`ReportReadError` for a missing, empty, too large, binary, undecodable
    or unreadable file, or a PDF without a text layer.  ``max_bytes`` bounds the file,
    ``max_chars`` its text (what building a report costs grows with it: see
    :data:`DEFAULT_MAX_CHARS`); a text file that must hold more characters than that
    (over four bytes a character allowed) is refused before it is decoded.
    """
    path = Path(path)
    data = _read_bytes(path, max_bytes=max_bytes)
    if not data:
        raise ReportReadError(path, "empty", "file is empty")
    if _looks_like_pdf(path, data):
        report = RawReport(path, _read_pdf(path, data), "pdf", MEDIA_PDF)
    else:
        if len(data) > 4 * max_chars:
            raise ReportReadError(
                path, "too-large", _too_many_chars(f"over {len(data) // 4:,}", max_chars)
            )
        text, encoding = decode_text(data, path=path)
        report = RawReport(path, text, encoding, _text_media_type(path))
    if len(report.text) > max_chars:
        raise ReportReadError(
            path, "too-large", _too_many_chars(f"{len(report.text):,}", max_chars)
        )
    logger.debug("read %s: %d bytes, encoding %s", path.name, len(data), report.encoding)
    return report


def _too_many_chars(count: str, max_chars: int) -> str:
    return (
        f"its text is too long ({count} characters; the limit is {max_chars:,}, about "
        "600 MB of memory to build): split the report"
    )


def _read_bytes(path: Path, *, max_bytes: int) -> bytes:
    """The file's bytes, after checking that it is a regular file within *max_bytes*
    (:func:`~incident_kg.files.read_bounded`: a FIFO or a device is refused by its type)."""
    return read_bounded(path, max_bytes, error=ReportReadError)


def _looks_like_pdf(path: Path, data: bytes) -> bool:
    """A PDF by content (``%PDF-`` near the start) or, failing that, by suffix."""
    return _PDF_MAGIC in data[:_PDF_MAGIC_WINDOW] or path.suffix.lower() == ".pdf"


def _text_media_type(path: Path) -> str:
    return MEDIA_MARKDOWN if path.suffix.lower() in MARKDOWN_SUFFIXES else MEDIA_TEXT


# --------------------------------------------------------------------------- text


def decode_text(data: bytes, *, path: Path) -> tuple[str, str]:
    """Decode report bytes; return ``(text, encoding)``.

    Raises :class:`ReportReadError` with kind ``empty`` (nothing but
    whitespace), ``binary`` (NUL bytes or many control bytes) or ``encoding``
    (no candidate decodes into printable text).  *path* only names the file in
    errors and logs.
    """
    if not data.strip():
        raise ReportReadError(path, "empty", "file is empty (only whitespace)")
    decoded = _decode_with_bom(data)
    if decoded is None:
        if _looks_binary(data[:SNIFF_BYTES]):
            raise ReportReadError(path, "binary", "not a text report: looks like binary data")
        decoded = _decode_without_bom(data, path)
    elif not _is_printable_text(decoded[0]):
        raise ReportReadError(path, "encoding", f"unknown text encoding ({_TRIED})")
    if not decoded[0].strip():
        raise ReportReadError(path, "empty", "file is empty (only whitespace)")
    return decoded


def _decode_with_bom(data: bytes) -> tuple[str, str] | None:
    """Decode by byte-order mark, or None when there is none or it lies."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return _strict_decode(data, encoding)
    return None


def _looks_binary(sample: bytes) -> bool:
    """NUL bytes, or more than :data:`MAX_CONTROL_SHARE` control bytes.

    ESC starting an ISO-2022-JP escape sequence (``ESC $`` / ``ESC (``) is not
    counted, so JIS-encoded text is not mistaken for binary.
    """
    if b"\x00" in sample:
        return True
    controls = sum(
        1
        for index, byte in enumerate(sample)
        if _is_control_byte(byte) and not _starts_iso2022_escape(sample, index)
    )
    return controls > MAX_CONTROL_SHARE * len(sample)


def _is_control_byte(byte: int) -> bool:
    return (byte < 0x20 and byte not in _ALLOWED_CONTROL_BYTES) or byte == 0x7F


def _starts_iso2022_escape(sample: bytes, index: int) -> bool:
    return sample[index] == 0x1B and sample[index + 1 : index + 2] in (b"$", b"(")


def _decode_without_bom(data: bytes, path: Path) -> tuple[str, str]:
    """Try the Japanese candidates in order, then charset-normalizer's guess.

    ISO-2022-JP goes first: it is 7-bit, so it also decodes as UTF-8 (to garbage).
    """
    for decoded in (_decode_iso2022_jp(data), _strict_decode(data, "utf-8")):
        if decoded is not None and _is_printable_text(decoded[0]):
            return decoded
    legacy = _best_legacy_japanese(data)
    if legacy is not None:
        return legacy
    guessed = _guess_encoding(data, path)
    if guessed is not None:
        return guessed
    raise ReportReadError(path, "encoding", f"unknown text encoding ({_TRIED})")


def _decode_iso2022_jp(data: bytes) -> tuple[str, str] | None:
    """ISO-2022-JP (JIS), tried only when its escape sequences occur."""
    if not any(marker in data for marker in _ISO2022_JP_MARKERS):
        return None
    return _strict_decode(data, "iso-2022-jp")


def _best_legacy_japanese(data: bytes) -> tuple[str, str] | None:
    """Strict CP932 or EUC-JP, whichever is printable and reads more like Japanese.

    Ties go to CP932.  EUC-JP bytes of common characters are also valid CP932
    (as half-width katakana), hence the comparison rather than first-wins.
    """
    candidates = [
        decoded
        for decoded in (_strict_decode(data, "cp932"), _strict_decode(data, "euc-jp"))
        if decoded is not None and _is_printable_text(decoded[0])
    ]
    if not candidates:
        return None
    return max(candidates, key=lambda decoded: _japanese_score(decoded[0]))


def _guess_encoding(data: bytes, path: Path) -> tuple[str, str] | None:
    """charset-normalizer's best guess, if clean enough to trust, else None."""
    try:
        best = charset_normalizer.from_bytes(data).best()
    except Exception as exc:  # a guesser failure means "no guess", never a crash
        logger.debug("%s: charset-normalizer failed (%s)", path.name, type(exc).__name__)
        return None
    if best is None or not _is_trusted_guess(best.encoding, best.chaos, best.coherence):
        return None
    decoded = _strict_decode(data, best.encoding)
    if decoded is None or not _is_printable_text(decoded[0]):
        return None
    logger.debug("%s: charset-normalizer guessed %s", path.name, best.encoding)
    return decoded[0], best.encoding.replace("_", "-")


def _is_trusted_guess(encoding: str, chaos: float, coherence: float) -> bool:
    """Low mess, and high coherence unless coherence means nothing for the encoding."""
    if chaos > MAX_GUESS_CHAOS:
        return False
    return coherence >= MIN_GUESS_COHERENCE or encoding.startswith(_TRUSTED_GUESS_PREFIXES)


def _strict_decode(data: bytes, encoding: str) -> tuple[str, str] | None:
    """``(text, encoding)`` if *data* decodes strictly, else None."""
    try:
        return data.decode(encoding), encoding
    except (UnicodeDecodeError, LookupError):
        return None


def _is_printable_text(text: str) -> bool:
    """At least :data:`MIN_PRINTABLE_SHARE` of the non-whitespace characters are printable.

    Private-use, unassigned, format and control characters count as not
    printable; whitespace (including the ideographic space) is ignored.
    """
    counted = printable = 0
    for char in text:
        if char.isprintable():
            if char != " ":
                counted += 1
                printable += 1
        elif char in _WHITESPACE_CONTROLS or unicodedata.category(char) in _SEPARATOR_CATEGORIES:
            continue
        else:
            counted += 1
    return counted == 0 or printable >= MIN_PRINTABLE_SHARE * counted


def _japanese_score(text: str) -> float:
    """Share of non-whitespace characters that are usual in Japanese prose.

    Hiragana, full-width katakana, CJK ideographs and punctuation, full-width
    forms and ASCII count; half-width katakana and everything else do not.
    """
    counted = usual = 0
    for char in text:
        if char.isspace():
            continue
        counted += 1
        usual += _is_usual_japanese(char)
    return usual / counted if counted else 0.0


def _is_usual_japanese(char: str) -> bool:
    code = ord(char)
    return (
        0x21 <= code <= 0x7E
        or 0x3000 <= code <= 0x30FF  # CJK punctuation, hiragana, katakana
        or 0x4E00 <= code <= 0x9FFF  # CJK unified ideographs
        or 0xFF01 <= code <= 0xFF5E  # full-width ASCII forms
    )


# --------------------------------------------------------------------------- PDF


def _read_pdf(path: Path, data: bytes) -> str:
    """The text layer of a PDF, page texts joined by a blank line."""
    try:
        with _quiet_pdf_loggers(), pdfplumber.open(io.BytesIO(data)) as pdf:
            pages = [_page_text(page) for page in pdf.pages]
    except Exception as exc:  # pdfminer raises many unrelated types on damaged files
        logger.debug("%s: PDF parse failed (%s)", path.name, type(exc).__name__)
        raise ReportReadError(path, "unreadable-pdf", _pdf_failure_message(exc)) from exc
    text = "\n\n".join(pages)
    if not text.strip():
        raise ReportReadError(
            path, "no-text-layer", "PDF has no text layer (scanned image?); run OCR first"
        )
    logger.debug("%s: PDF with %d pages", path.name, len(pages))
    return text


#: A gap between two characters of one line this wide (in font sizes) separates two cells of
#: a table laid out in columns: written as a TAB, as a text table would be, so the table is
#: read as rows and not as running text.  Japanese text has no gap inside a line; words of
#: Latin text are about a quarter of the size apart.
_CELL_GAP = 0.8
#: A narrower gap than this (in points) is no space at all (pdfplumber's own tolerance).
_SPACE_GAP = 3.0


def _page_text(page: Any) -> str:
    """One page's text, line by line, with a TAB where a wide gap parts the cells of a table."""
    out: list[str] = []
    for line in page.extract_text_lines(layout=False, strip=True, return_chars=True):
        chars = sorted(line["chars"], key=lambda c: c["x0"])
        if not chars:
            continue
        parts = [chars[0]["text"]]
        for before, char in itertools.pairwise(chars):
            gap = char["x0"] - before["x1"]
            if gap >= _CELL_GAP * max(char["size"], before["size"]):
                parts.append("\t")
            elif gap > _SPACE_GAP:
                parts.append(" ")
            parts.append(char["text"])
        out.append("".join(parts))
    return "\n".join(out)


def _pdf_failure_message(exc: Exception) -> str:
    """A clerk-facing reason: password protection or damage."""
    cause = exc.args[0] if exc.args and isinstance(exc.args[0], Exception) else exc
    if isinstance(cause, PDFPasswordIncorrect | PDFEncryptionError):
        return "PDF is password-protected or encrypted; save an unprotected copy"
    return "PDF cannot be read (damaged or not really a PDF); re-export or re-save it"


@contextmanager
def _quiet_pdf_loggers() -> Iterator[None]:
    """Raise pdfminer's and pdfplumber's log level to ERROR for the duration.

    Their warnings are noisy and may quote document content (metadata values).
    """
    quieted = [logging.getLogger(name) for name in ("pdfminer", "pdfplumber")]
    previous = [quiet.level for quiet in quieted]
    for quiet in quieted:
        quiet.setLevel(logging.ERROR)
    try:
        yield
    finally:
        for quiet, level in zip(quieted, previous, strict=True):
            quiet.setLevel(level)
