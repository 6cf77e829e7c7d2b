"""CSV files: encoding, delimiter and over-long lines settled first, then read by csv.reader row by row."""
import codecs
import csv
import io
import re
from collections import Counter
from collections.abc import Iterator
from typing import BinaryIO

from openvmi.errors import Reason
from openvmi.tabular.encodings import decodes, decodes_whole, detect_encoding
from openvmi.tabular.table_reader import HeaderJudge, TableReader, file_error

SAMPLE_BYTES = 64 * 1024
# A stock row is well under a kilobyte. csv builds a whole row at once, so one line of millions of
# cells would take gigabytes: such a file is refused before it is parsed.
MAX_LINE_BYTES = 1024 * 1024


class CsvReader(TableReader):
    file_format = "csv"

    def __init__(self, stream: BinaryIO, *, encoding: str | None, total_bytes: int,
                 judge_header: HeaderJudge | None = None) -> None:
        self._stream = stream
        self.total = total_bytes
        sample = stream.read(SAMPLE_BYTES)
        stream.seek(0)
        if encoding:
            try:
                codec = codecs.lookup(encoding)
            except LookupError:
                raise file_error("unknown encoding %(encoding)s", column="encoding", encoding=repr(encoding)) from None
            if not codec._is_text_encoding:  # zlib, base64, rot13: codecs, but no way to read text
                raise file_error("not a text encoding: choose one such as utf-8, gb18030 or big5", column="encoding")
            self.encoding = codec.name
            if self.encoding == "utf-8" and sample.startswith(codecs.BOM_UTF8):
                self.encoding = "utf-8-sig"
            if not decodes(sample, self.encoding):
                raise file_error("the file is not valid %(encoding)s; choose another encoding or let it be detected",
                                 encoding=encoding)
        else:
            self.encoding = detect_encoding(sample)
            if self.encoding == "utf-8" and not decodes_whole(stream, "utf-8") and decodes_whole(stream, "gb18030"):
                self.encoding = "gb18030"  # ASCII rows first, the first Chinese text after the sample
        _refuse_overlong_lines(stream)
        text_sample = codecs.getincrementaldecoder(self.encoding)(errors="replace").decode(sample)
        self.delimiter = _sniff_delimiter(text_sample)
        # Undecodable bytes are kept as surrogates and reported with the row they are in (a
        # strict decoder fails a whole read-ahead chunk earlier, naming the wrong row).
        self._text = io.TextIOWrapper(stream, encoding=self.encoding, errors="surrogateescape", newline="")
        self._reader = csv.reader(self._text, delimiter=self.delimiter)
        self._row = 0
        self._find_header(judge_header, no_header=Reason("the file has no header row"))

    def _header_texts(self, cells: list[object]) -> list[str]:
        return [c.strip() for c in cells]  # type: ignore[union-attr]

    def _records(self) -> Iterator[tuple[list[object], bool]]:
        """(cells, has text) per record; a byte the encoding cannot read stops at its row."""
        reader = self._reader
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as error:
                raise file_error("the CSV is malformed: %(error)s", row=self._row + 1, error=error) from None
            self._row += 1
            joined = "".join(cells)
            try:
                joined.encode("utf-8")
            except UnicodeEncodeError:
                raise file_error("the file is not valid %(encoding)s at row %(line)s; choose its encoding",
                                 row=self._row, encoding=self.encoding, line=self._row) from None
            yield cells, not joined.isspace() and joined != ""  # type: ignore[misc]

    def done(self) -> int:
        return self._stream.tell()

    def close(self) -> None:
        self._text.detach()  # a collected TextIOWrapper would close the caller's stream


def _refuse_overlong_lines(stream: BinaryIO) -> None:
    """Raise for a line longer than MAX_LINE_BYTES, reading in chunks no bigger than that limit
    (so only a line that crosses a chunk boundary can be too long)."""
    run = line = 0  # bytes since the last line break; line breaks seen
    stream.seek(0)
    while chunk := stream.read(MAX_LINE_BYTES):
        first = chunk.find(b"\n")
        if first < 0:
            run += len(chunk)
        else:
            run += first
        if run > MAX_LINE_BYTES:
            stream.seek(0)
            raise file_error("line %(line)s is longer than %(limit)s MB: this is not a stock list with one item "
                             "per line", row=line + 1, line=line + 1, limit=MAX_LINE_BYTES // 1048576)
        if first >= 0:
            line += chunk.count(b"\n")
            run = len(chunk) - chunk.rfind(b"\n") - 1
    stream.seek(0)


def _sniff_delimiter(text: str) -> str:
    """The delimiter that splits the most lines into the same number of fields. (csv.Sniffer is
    fooled by a report title above the header and by "1,200.000" in a tab-separated file.)"""
    lines = [line for line in text.splitlines()[:50] if line.strip()]
    if len(lines) > 1 and not text.endswith(("\n", "\r")):
        lines = lines[:-1]  # the last sampled line may be cut off
    unquoted = [re.sub(r'"[^"]*"', "", line) for line in lines]
    best, best_score = ",", (0, 0)
    for delimiter in ",;\t|":
        counts = Counter(line.count(delimiter) for line in unquoted)
        counts.pop(0, None)
        if counts:
            fields, lines_agreeing = max(counts.items(), key=lambda c: (c[1], c[0]))
            if (lines_agreeing, fields) > best_score:
                best, best_score = delimiter, (lines_agreeing, fields)
    return best
