"""Finding a TrueType font with Chinese glyphs for the statement PDF (it is embedded, so readers need none)."""
import shutil
import subprocess
from pathlib import Path

from openvmi.errors import DomainError

# Debian's fonts-wqy-microhei (installed by `make .venv/.browser` and the setup notes), then others
# fpdf2 embeds well (TrueType outlines); fontconfig is asked first.
KNOWN_FONTS = (Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"),
               Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"),
               Path("/usr/share/fonts/truetype/arphic/uming.ttc"))
TRUETYPE = (".ttf", ".ttc")


class FontMissing(DomainError):
    """The server cannot print Chinese: an operator installs a font, nobody else can act on it."""

    code = "pdf_font_missing"


def find_cjk_font(configured: Path | None = None) -> Path:
    """The configured font, else the first TrueType font fontconfig lists for Chinese, else a known
    path; FontMissing with what to install when there is none."""
    if configured is not None:
        if configured.is_file():
            return configured
        raise FontMissing(f"OPENVMI_PDF_FONT_PATH names {configured}, which does not exist")
    for candidate in (*_fontconfig_chinese(), *KNOWN_FONTS):
        if candidate.suffix.lower() in TRUETYPE and candidate.is_file():
            return candidate
    raise FontMissing("no TrueType font with Chinese glyphs is installed, so statements cannot be printed: "
                      "install one (Debian/Ubuntu: apt-get install fonts-wqy-microhei) or set "
                      "OPENVMI_PDF_FONT_PATH to a .ttf/.ttc file")


def _fontconfig_chinese() -> list[Path]:
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return []
    try:
        listed = subprocess.run([fc_list, ":lang=zh", "file"], capture_output=True, text=True, timeout=10,
                                check=False).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    # "wqy" first: its Micro Hei is the one the setup installs and the tests read back.
    names = sorted({line.strip().rstrip(":") for line in listed.splitlines() if line.strip()},
                   key=lambda name: ("wqy" not in name, name))
    return [Path(name) for name in names]
