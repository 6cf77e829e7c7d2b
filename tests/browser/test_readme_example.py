"""The README's API example works as printed: run against the live demo server, it logs in as a
supplier user, takes the token from the answer and reads only that supplier's stock."""
import json
import re
import subprocess
from pathlib import Path

README = Path(__file__).parents[2] / "README.md"


def readme_api_example() -> str:
    """The shell block of the README that calls the API with curl."""
    blocks = re.findall(r"```sh\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    [example] = [block for block in blocks if "curl" in block]
    return example


def test_the_readme_curl_example_reads_the_suppliers_own_stock(live_server):
    script = readme_api_example().replace("http://127.0.0.1:8000", live_server)

    answer = subprocess.run(["bash", "-euo", "pipefail", "-c", script], capture_output=True, text=True, timeout=60)

    assert answer.returncode == 0, answer.stderr
    page = json.loads(answer.stdout)
    assert page["items"], "the demo's hengda publishes stock"
    assert {line["supplier_code"] for line in page["items"]} == {"S-NBHD"}
