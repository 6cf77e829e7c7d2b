"""Every page a role is offered fits a laptop (1366x768) and a phone (390x844) in Debian's Chromium:
nothing pushes the page wider than the screen (wide tables scroll inside their own box) and no
button wraps its label onto more than two lines."""
import pytest

from tests.browser.conftest import log_in

pytestmark = pytest.mark.browser

VIEWPORTS = {"laptop": {"width": 1366, "height": 768}, "phone": {"width": 390, "height": 844}}
# Filled lists: every alert, and the first page of each list the menus offer.
EXTRA_PAGES = ["/alerts?status=all"]

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


@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize(("username", "locale"), [("buyer", "zh-CN"), ("hengda", "zh-CN"), ("admin", "en-US")])
def test_every_offered_page_fits_the_screen_and_buttons_stay_short(new_page, username, locale, viewport):
    page = new_page(locale=locale, viewport=VIEWPORTS[viewport])
    log_in(page, username)
    links = page.eval_on_selector_all("nav.main-nav a", "links => links.map(a => a.getAttribute('href'))")

    problems = {}
    for url in [*links, *EXTRA_PAGES]:
        page.goto(url)
        overflow, tall = page.evaluate(OVERFLOW), page.evaluate(TALL_BUTTONS)
        if overflow > 0 or tall:
            problems[url] = {"wider than the screen by px": overflow, "buttons over two lines": tall}

    assert not problems
