"""Which text encoding a CSV file is in: a BOM, strict UTF-8, else GBK/GB18030 among a few candidates."""
import codecs
from typing import BinaryIO

from charset_normalizer import from_bytes

from openvmi.tabular.table_reader import file_error

_CANDIDATES = ["gb18030", "cp1252", "big5", "shift_jis", "euc_kr"]
_READ_AS_GBK = {"gb18030", "euc_kr"}  # EUC-KR is what short GBK samples are most often mistaken for


def detect_encoding(sample: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16 with BOM, or GBK/GB18030; anything else must be chosen."""
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    try:
        sample.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as error:
        if error.reason == "unexpected end of data" and error.start >= len(sample) - 3:
            return "utf-8"  # the sample cut a character in half
    # Short GBK samples also read as Korean or Big5 without any "chaos"; for our users a tie
    # means GBK. Other encodings are accepted only when the user names them.
    matches = sorted(from_bytes(sample, cp_isolation=_CANDIDATES), key=lambda m: m.chaos)
    if matches and decodes(sample, "gb18030"):
        least_chaos = matches[0].chaos
        if matches[0].encoding in _READ_AS_GBK or any(
                m.encoding == "gb18030" and m.chaos <= least_chaos + 0.01 for m in matches):
            return "gb18030"  # a superset of GB2312 and GBK
    guess = matches[0].encoding if matches else "binary data"
    raise file_error("the file is not UTF-8 or GBK/GB18030 (it looks like %(guess)s); choose its encoding",
                     guess=guess)


def decodes(sample: bytes, encoding: str) -> bool:
    """Whether the sample reads as `encoding`, a character cut off at its end allowed."""
    decoder = codecs.getincrementaldecoder(encoding)()
    try:
        decoder.decode(sample, final=False)  # a cut multi-byte character at the end is fine
    except UnicodeError:  # also UTF-16 without its BOM
        return False
    return True


def decodes_whole(stream: BinaryIO, encoding: str) -> bool:
    """Whether the whole file reads as `encoding`; read in chunks, and rewound after."""
    decoder = codecs.getincrementaldecoder(encoding)()
    stream.seek(0)
    try:
        while chunk := stream.read(1 << 20):
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeError:
        return False
    finally:
        stream.seek(0)
    return True
