"""Round trip through buku: revue's Netscape export -> buku -> buku's export -> revue.

buku is not a dependency of revue: install it in another environment and pass its path.

    python scripts/buku_roundtrip.py --buku /path/to/venv/bin/buku

Checks that every URL, title and tag survives both ways, and prints what differs. Runs in a
temporary HOME (buku's database never touches the real one) and never uses the network.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ITEMS = [
    (
        "https://www.lapresse.ca/affaires/techno/2023-11-06/openai.php",
        "Première conférence annuelle | OpenAI « superpouvoirs »",
        ["IA", "Analyweb"],
    ),
    (
        "https://ici.radio-canada.ca/nouvelle/2024874/applications-meta",
        "Les applications de Meta & vos données <personnelles>",
        ["Meta"],
    ),
    (
        "https://www.blogdumoderateur.com/chatgpt-permet-creer-chatbots/",
        "ChatGPT : créer des chatbots",
        [],
    ),
]


def revue(env: dict[str, str], *args: str, stdin: str | None = None) -> str:
    proc = subprocess.run(
        [sys.executable, "-m", "revue", *args], env=env, input=stdin, capture_output=True, text=True
    )
    if proc.returncode != 0:
        raise SystemExit(f"revue {' '.join(args)} failed: {proc.stderr}")
    return proc.stdout


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--buku", required=True, help="path to the buku executable")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        base = {**os.environ, "HOME": str(home), "XDG_DATA_HOME": str(home / "data")}
        config = home / "empty.toml"  # the defaults (a REVUE_CONFIG file must exist)
        config.touch()
        env_a = {**base, "REVUE_DB": str(home / "a.db"), "REVUE_CONFIG": str(config)}
        env_b = {**base, "REVUE_DB": str(home / "b.db"), "REVUE_CONFIG": str(config)}
        for url, title, tags in ITEMS:
            revue(env_a, "add", "--no-fetch", url, "--title", title, *[f"--tag={t}" for t in tags])
        exported = home / "revue.html"
        revue(env_a, "export", "--format", "netscape", "--out", str(exported))
        buku = [args.buku, "--nc", "--np", "--tacit"]
        subprocess.run(
            [*buku, "--import", str(exported)],
            env=base,
            input="n\nn\n",
            text=True,
            capture_output=True,
            check=True,
        )
        quiet = [*buku, "--nostdin"]
        printed = subprocess.run(
            [*quiet, "--print", "--json"],
            env=base,
            capture_output=True,
            text=True,
            check=True,
            stdin=subprocess.DEVNULL,
        )
        if not printed.stdout.strip():
            raise SystemExit(f"buku printed nothing: {printed.stderr}")
        # buku may print a notice before its JSON array.
        in_buku = {r["uri"]: r for r in json.loads(printed.stdout[printed.stdout.index("[") :])}
        back = home / "buku.html"
        subprocess.run(
            [*quiet, "--export", str(back)],
            env=base,
            capture_output=True,
            text=True,
            check=True,
            stdin=subprocess.DEVNULL,
        )
        revue(env_b, "import", str(back), "--no-fetch")
        in_revue = {i["url"]: i for i in json.loads(revue(env_b, "list", "--json"))}
    problems = []
    for url, title, tags in ITEMS:
        b = in_buku.get(url)
        if b is None or b["title"] != title:
            problems.append(f"buku lost {url} or its title: {b}")
        elif sorted(t for t in b["tags"].split(",") if t) != sorted(t.lower() for t in tags):
            problems.append(f"buku tags for {url}: {b['tags']!r}")
        r = in_revue.get(url)
        if r is None or r["title"] != title:
            problems.append(f"revue lost {url} or its title coming back: {r and r['title']}")
        elif sorted(t.lower() for t in r["tags"]) != sorted(t.lower() for t in tags):
            problems.append(f"revue tags for {url} coming back: {r['tags']}")
    for line in problems:
        print("DIFF", line)
    print(f"{len(ITEMS)} bookmarks, {len(problems)} difference(s) after revue -> buku -> revue")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
