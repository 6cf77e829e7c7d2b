"""Every page a role is offered, walked in a real browser in Chinese and in English, once each: no page
mixes in a sentence of the other language, and each fits a laptop (1366x768) and a phone (390x844):
nothing pushes the page wider than the screen (wide tables scroll inside their own box) and no button
wraps its label onto more than two lines. (One walk for both checks: page loads are the cost.)

What counts, on the text a person sees (visible text nodes, the contents of <details>, options,
placeholders, titles and accessible labels):
- on a Chinese page, a run of two or more English words of which two or more are words of the
  catalog's English msgids (so it reads like our own untranslated text); codes, numbers and units
  pass (one word, or no catalog words), and so does any run found in the demo company's data;
- on an English page, any CJK character that is not part of the demo company's data (a supplier's
  name, an item's description) or the name of a language in the switcher.
The column headings a stock file may use (supplier_stock.rules.HEADER_SYNONYMS) count as data: the
upload page names them in both languages on purpose, as the files are written either way.
"""
import re
from decimal import Decimal

import pytest
from babel.messages.pofile import read_po
from sqlalchemy import text

from openvmi.access import Role
from openvmi.auth import service as auth_service
from openvmi.auth.schemas import UserCreate
from openvmi.db import create_db_engine, create_session_factory
from openvmi.supplier_stock.rules import HEADER_SYNONYMS, normalise_header
from openvmi.supplier_stock.schemas import ThresholdSet
from openvmi.supplier_stock.service import thresholds
from openvmi.web.i18n import LANGUAGE_NAMES, LOCALE_DIR
from tests.browser.conftest import log_in

pytestmark = pytest.mark.browser

PASSWORD = "every-word-9"
ROLES = [(Role.ADMIN, None), (Role.BUYER, None), (Role.WAREHOUSE, None), (Role.FINANCE, None),
         (Role.SUPPLIER, "S-NBHD")]
LANGUAGES = {"zh_CN": "zh-CN", "en": "en-US"}
DETAIL = re.compile(r"^/[a-z-]+(/[a-z-]+)?/\d+$")  # /alerts/3, /supplier-stock/imports/12 ...
DETAILS_PER_PAGE = 1
LAPTOP, PHONE = {"width": 1366, "height": 768}, {"width": 390, "height": 844}
EXTRA_PAGES = ["/alerts?status=all"]  # a filled list: every alert, not just the open ones
CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]+")
ENGLISH_RUN = re.compile(r"[A-Za-z][A-Za-z'’]*(?:[ \t\u00a0]+[A-Za-z][A-Za-z'’]*)+")
# words too short or too common in data (units, codes) to say anything about language
NEUTRAL = {"id", "ok", "pcs", "kg", "m", "csv", "xlsx", "api", "url", "http", "https", "json", "utc", "openvmi",
           "erp", "vmi", "smtp", "hmac", "etag"}

HEADINGS = {normalise_header(name) for names in HEADER_SYNONYMS.values() for name in names}
VISIBLE_TEXT = """() => {
  document.querySelectorAll('details').forEach(d => d.open = true);
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode, parent = node.parentElement;
    if (!parent || ['SCRIPT', 'STYLE', 'NOSCRIPT', 'TEMPLATE', 'OPTION'].includes(parent.tagName)) continue;
    if (!node.textContent.trim()) continue;
    const range = document.createRange();
    range.selectNodeContents(node);
    if (range.getClientRects().length === 0) continue;
    out.push(node.textContent.trim());
  }
  document.querySelectorAll('option').forEach(o => out.push(o.textContent.trim()));
  for (const el of document.querySelectorAll('[placeholder], [title], [aria-label]'))
    for (const name of ['placeholder', 'title', 'aria-label'])
      if (el.getAttribute(name)) out.push(el.getAttribute(name));
  out.push(document.title);
  return out.filter(Boolean);
}"""
# Labels of buttons (and links that look like them) whose text needs more than two lines.
TALL_BUTTONS = """() => [...document.querySelectorAll('button, [role=button], input[type=submit]')]
  .filter(el => el.offsetParent !== null)
  .filter(el => {
    const style = getComputedStyle(el);
    const line = parseFloat(style.lineHeight) || parseFloat(style.fontSize) * 1.5;
    const text = el.getBoundingClientRect().height - parseFloat(style.paddingTop) - parseFloat(style.paddingBottom)
      - parseFloat(style.borderTopWidth) - parseFloat(style.borderBottomWidth);
    return text > 2 * line + 1;
  })
  .map(el => el.textContent.trim())"""
OVERFLOW = "() => document.documentElement.scrollWidth - window.innerWidth"


def catalog_words() -> set[str]:
    """The English words of our own text: every msgid, its %(placeholders)s left out."""
    with (LOCALE_DIR / "zh_CN" / "LC_MESSAGES" / "messages.po").open("rb") as fp:
        catalog = read_po(fp)
    words: set[str] = set()
    for message in catalog:
        for msgid in message.id if isinstance(message.id, tuple) else (message.id,):
            words |= {w.lower() for w in re.findall(r"[A-Za-z]{2,}", re.sub(r"%\(\w+\)s", " ", msgid or ""))}
    return words - NEUTRAL


def demo_data_texts(database_url: str) -> list[str]:
    """Every name, code and description of the demo company, and the notes on its documents: data, not
    our words."""
    engine = create_db_engine(database_url)
    texts: list[str] = []
    with engine.connect() as connection:
        for statement in ("SELECT code, name FROM party", "SELECT code, name, address FROM plant",
                          "SELECT code, name, unit, category FROM item", "SELECT code, name FROM location",
                          "SELECT username, display_name FROM app_user", "SELECT supplier_part_number FROM supplier_item",
                          "SELECT filename FROM supplier_stock_import",
                          # what people typed on the inbound documents: notes, carriers, lots
                          "SELECT note FROM vmi_call_off", "SELECT note FROM vmi_call_off_event",
                          "SELECT carrier, tracking_number FROM vmi_shipment", "SELECT lot_number FROM vmi_shipment_line",
                          # and on statements (the settlement journeys): disputes, credits, event notes, invoices
                          "SELECT comment FROM settlement_line_dispute", "SELECT reason FROM settlement_line",
                          "SELECT note FROM settlement_statement_event", "SELECT number FROM settlement_invoice"):
            for row in connection.execute(text(statement)):
                texts += [str(value) for value in row if value]
    engine.dispose()
    return texts + [name for names in HEADER_SYNONYMS.values() for name in names] + list(LANGUAGE_NAMES.values())


def foreign_text(shown: str, language: str, *, vocabulary: set[str], data: list[str]) -> list[str]:
    """The parts of `shown` in the other language, per the rules at the top of this file."""
    if language == "en":
        return [run for run in CJK.findall(shown) if not any(run in value for value in data)]
    found = []
    for run in ENGLISH_RUN.findall(shown):
        ours = [w for w in re.split(r"[ \t\u00a0]+", run) if w.lower().strip("'’") in vocabulary]
        if len(ours) >= 2 and normalise_header(run) not in HEADINGS and not any(run in value for value in data):
            found.append(run)
    return found


@pytest.fixture(scope="module")
def walkers(live_server, demo_database):
    """A user per role and language (so no demo user's stored choice changes), then one event
    that notifies all of them: their inboxes have a message to read."""
    engine = create_db_engine(demo_database)
    names = {}
    with create_session_factory(engine)() as session:
        for role, supplier in ROLES:
            for locale in LANGUAGES:
                username = f"words-{role.value}-{locale}".lower().replace("_", "-")
                auth_service.create_user(session, UserCreate(
                    username=username, display_name=username, password=PASSWORD, role=role,
                    supplier_code=supplier, locale=locale))
                names[(role, locale)] = username
        item_code = session.execute(text(
            "SELECT i.code FROM supplier_stock s JOIN item i ON i.id = s.item_id JOIN party p ON p.id = s.supplier_id "
            "WHERE p.code = 'S-NBHD' AND s.available > 0 ORDER BY i.code LIMIT 1")).scalar_one()
        thresholds.set_threshold(session, ThresholdSet(supplier_code="S-NBHD", item_code=item_code,
                                                       low_water=Decimal("99999999")), actor_id=None)
        session.commit()
    engine.dispose()
    return names


@pytest.fixture(scope="module")
def words_and_data(demo_database):
    """The catalog's English words and the demo company's texts, read once for every walk."""
    return catalog_words(), demo_data_texts(demo_database)


def links(page, scope: str) -> list[str]:
    return page.locator(f"{scope} a[href^='/']").evaluate_all("links => links.map(a => a.getAttribute('href'))")


@pytest.mark.parametrize("locale", list(LANGUAGES))
@pytest.mark.parametrize("role", [role for role, _ in ROLES], ids=[role.value for role, _ in ROLES])
def test_no_page_mixes_in_the_other_language_or_overflows_the_screen(new_page, walkers, words_and_data, role, locale):
    """The home page, every entry of the main navigation and the first detail page each links to,
    each loaded once: read and measured at both sizes, then its detail links taken."""
    vocabulary, data = words_and_data
    page = new_page(locale=LANGUAGES[locale], viewport=LAPTOP)
    log_in(page, walkers[(role, locale)], PASSWORD)

    problems, misfits, visited = [], {}, []
    queue, seen = ["/"], {"/", "/logout"}
    while queue:
        url = queue.pop(0)
        visited.append(url)
        answer = page.goto(url)
        assert answer is not None and answer.status < 500, f"{url}: {answer.status if answer else 'no answer'}"
        for shown in page.evaluate(VISIBLE_TEXT):
            problems += [f"{url}: {run!r} in {shown[:120]!r}"
                         for run in foreign_text(shown, locale, vocabulary=vocabulary, data=data)]
        for size, viewport in (("laptop", LAPTOP), ("phone", PHONE)):
            page.set_viewport_size(viewport)
            overflow, tall = page.evaluate(OVERFLOW), page.evaluate(TALL_BUTTONS)
            if overflow > 0 or tall:
                misfits[f"{url} ({size})"] = {"wider than the screen by px": overflow, "buttons over two lines": tall}
        page.set_viewport_size(LAPTOP)
        found = [href for href in links(page, "nav") if not href.startswith("/docs")] + EXTRA_PAGES if url == "/" else []
        if not DETAIL.match(url.split("?")[0]):
            found += [href for href in links(page, "main") if DETAIL.match(href.split("?")[0])][:DETAILS_PER_PAGE]
        for href in found:
            if href not in seen:
                seen.add(href)
                queue.append(href)

    assert {"/", "/alerts", "/inbox"} <= set(visited) and any(DETAIL.match(url) for url in visited)
    assert not misfits, misfits
    assert not problems, f"{len(problems)} texts in the wrong language on {locale} pages:\n" + "\n".join(
        sorted(set(problems)))


def test_the_detector_finds_our_english_on_a_chinese_page_and_chinese_on_an_english_one():
    vocabulary, data = catalog_words(), ["宁波恒达五金 Hengda Hardware", "M8 六角螺栓 Hex bolt"]

    assert foreign_text("低库存 Low stock opened: S-NBHD / BOLT-M8", "zh_CN", vocabulary=vocabulary, data=data) == [
        "Low stock opened"]
    assert foreign_text("宁波恒达五金 Hengda Hardware 有 1,100 PCS", "zh_CN", vocabulary=vocabulary, data=data) == []
    assert foreign_text("Stock of M8 六角螺栓 Hex bolt: 已解除", "en", vocabulary=vocabulary, data=data) == ["已解除"]
    assert foreign_text("物料编码/item code", "zh_CN", vocabulary=vocabulary, data=data) == []
