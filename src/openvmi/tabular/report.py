"""A file's error report: every bad row counted, the first ones kept to show (and to store)."""
from openvmi.errors import InvalidImportFile, Reason, RowError

MAX_REPORTED_ERRORS = 1000


class ErrorList:
    """Every error is counted; the first MAX_REPORTED_ERRORS are kept to show."""

    def __init__(self) -> None:
        self.count = 0
        self.bad_rows = 0
        self.duplicates_possible = True
        self.kept: list[RowError] = []

    def add(self, errors: list[RowError]) -> None:
        self.count += len(errors)
        room = MAX_REPORTED_ERRORS - len(self.kept)
        if room > 0:
            self.kept.extend(errors[:room])

    def sorted(self) -> list[RowError]:
        return sorted(self.kept, key=lambda e: (e.row or 0, e.column or ""))

    def refuse_bad_file(self, *, data_rows: int) -> None:
        """InvalidImportFile listing every bad row, or saying there was no data row; nothing when the file is good."""
        if self.count:
            raise InvalidImportFile(self.sorted(), error_count=self.count)
        if not data_rows:
            raise InvalidImportFile([RowError(None, None, Reason("the file has a header but no data rows"))])


def stored_errors(errors: list[RowError]) -> list[dict]:
    """The report as kept with an upload's record: English text, plus message id and parameters so
    a page can show it in the reader's language."""
    return [{"row": e.row, "column": e.column, "reason": e.reason, "value": e.value,
             "msgid": getattr(e.reason, "msgid", None), "params": getattr(e.reason, "params", None)}
            for e in errors[:MAX_REPORTED_ERRORS]]
