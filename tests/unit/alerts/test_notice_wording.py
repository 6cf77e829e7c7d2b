"""Statement notices are worded when read or sent, in the reader's language, from the facts they keep."""
import pytest

from openvmi.alerts import wording
from openvmi.alerts.rules import AlertEvent
from openvmi.web.i18n import Words

FACTS = {"supplier": "SUP-7", "statement_id": 12, "currency": "CNY", "period_start": "2026-05-01",
         "period_end": "2026-05-31", "gross": "1130.00", "at": "2026-06-01T02:00:00+00:00"}


@pytest.mark.parametrize(("event", "english", "chinese"), [
    (AlertEvent.STATEMENT_ISSUED, "Statement #12 issued: 2026-05-01 to 2026-05-31", "对账单 #12 已发出"),
    (AlertEvent.STATEMENT_DISPUTED, "Statement #12 disputed by SUP-7", "SUP-7 对对账单 #12 提出异议"),
    (AlertEvent.STATEMENT_CONFIRMED, "Statement #12 confirmed by SUP-7", "对账单 #12 已由 SUP-7 确认"),
])
def test_each_statement_notice_has_a_title_and_text_in_both_languages(event, english, chinese):
    content = {"event": str(event), **FACTS, "disputed_lines": 2}
    zh = Words("zh_CN", "Asia/Shanghai")

    assert wording.title(wording.ENGLISH, content) == english
    assert wording.title(zh, content).startswith(chinese)
    assert "SUP-7" in wording.body(wording.ENGLISH, content) and "SUP-7" in wording.body(zh, content)
    assert wording.body(zh, content) != wording.body(wording.ENGLISH, content)
