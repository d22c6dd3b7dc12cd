"""publish, end to end against a real WordPress (tests/wordpress.py starts one on 127.0.0.1).

Skipped with the reason when Debian's wordpress, mariadb-server, php-cli and php-mysql are
not installed; in CI (CI=true) they must run, and `.ci/run` installs them.
"""

from __future__ import annotations

import base64
import json
import os
import re
import sqlite3
from pathlib import Path

import pytest

from revue.errors import ExitCode

from clihelp import run, run_json
from wordpress import WordPressSite

pytestmark = [pytest.mark.wordpress, pytest.mark.xdist_group("wordpress")]


@pytest.fixture
def blog(
    wordpress: WordPressSite, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> WordPressSite:
    monkeypatch.setenv("REVUE_WORDPRESS_URL", wordpress.url)
    monkeypatch.setenv("REVUE_WORDPRESS_USER", wordpress.user)
    monkeypatch.setenv("REVUE_WORDPRESS_PASSWORD", wordpress.password)
    (tmp_path / "config.toml").write_text(
        'hashtags = ["Analyweb"]\n\n[wordpress]\ncategory = "Revues de presse"\n',
        encoding="utf-8",
    )
    return wordpress


def compose_review(name: str) -> dict[str, str]:
    """Three items (one with a hostile title) and a text block, composed: the items' URLs."""
    urls = {
        "ia": f"https://a.example/{name}/ia-2024",
        "evil": f"https://b.example/{name}/piege?x=1&y=2",
        "radio": f"https://c.example/{name}/entrevue",
    }
    run("add", "--no-fetch", urls["ia"], "--title", "L'IA en 2024", "--note", "= À suivre #IA")
    run(
        "add",
        "--no-fetch",
        urls["evil"],
        "--title",
        '<script>alert("x")</script> Titre piégé',
        "--note",
        "<script>alert(2)</script> **gras**",
        "--tag",
        "Veille",
    )
    run("add", "--no-fetch", urls["radio"], "--title", "Mon entrevue", "--tag", "Radio")
    run("add", "--text", "Un mot sur la semaine")
    run("compose", "--suffix", name)
    return urls


def publish(*args: str, code: int = ExitCode.OK) -> tuple[str, str]:
    result = run("publish", *args, code=code)
    return result.stdout, result.stderr


def post_id_of(stderr: str) -> int:
    found = re.search(r"(?:created|updated) \w+ #(\d+)", stderr)
    assert found, stderr
    return int(found.group(1))


def test_publish_creates_a_draft_with_every_link_tags_category_and_no_script(
    blog: WordPressSite,
) -> None:
    urls = compose_review("draft")
    out, err = publish()
    post_id = post_id_of(err)
    assert "created draft" in err
    post = blog.get(f"/wp/v2/posts/{post_id}")
    assert out.strip() == post["link"]
    assert post["status"] == "draft"
    assert post["title"]["raw"].startswith("Revue de presse") and "draft" in post["title"]["raw"]
    content = post["content"]["raw"]
    for url in urls.values():
        assert f'href="{url.replace("&", "&amp;")}"' in content
    assert "<script" not in content.lower()
    assert "&lt;script&gt;" in content and "Un mot sur la semaine" in content
    # The hashtags the post shows; `--tag Veille` and `--tag Radio` are the curator's own.
    assert blog.term_names("tags", post["tags"]) == {"Analyweb", "IA"}
    assert blog.term_names("categories", post["categories"]) == {"Revues de presse"}
    # revue reviews shows where it went.
    reviews = run_json("reviews")
    assert [(p["post_id"], p["status"], p["link"]) for p in reviews[0]["posts"]] == [
        (post_id, "draft", post["link"])
    ]
    table = run("reviews").stdout
    assert "draft" in table and str(post_id) in table.replace("\n", "")


def test_publishing_again_updates_the_same_post_and_says_so(blog: WordPressSite) -> None:
    compose_review("again")
    _, err = publish()
    post_id = post_id_of(err)
    run("edit", "1", "--note", "Une note changée")
    run("compose", "--suffix", "again")
    _, err = publish()
    assert post_id_of(err) == post_id
    assert "updated draft" in err and "the same post" in err
    post = blog.get(f"/wp/v2/posts/{post_id}")
    assert "Une note changée" in post["content"]["raw"]
    same = blog.get("/wp/v2/posts", search="again", status="draft", per_page="100")
    assert [p["id"] for p in same] == [post_id]


def test_a_post_edited_on_the_blog_is_overwritten_only_with_force(blog: WordPressSite) -> None:
    compose_review("edited")
    _, err = publish()
    post_id = post_id_of(err)
    # An edit on the blog: its content and modified_gmt move (set here, not slept for).
    blog.php_code(
        "global $wpdb; $wpdb->update($wpdb->posts, array('post_content' => 'Edited on the blog', "
        f"'post_modified_gmt' => '2001-02-03 04:05:06'), array('ID' => {post_id}));"
        f"clean_post_cache({post_id});"
    )
    _, err = publish(code=ExitCode.PARTIAL)
    assert "edited on the blog" in err and "--force" in err
    assert blog.get(f"/wp/v2/posts/{post_id}")["content"]["raw"] == "Edited on the blog"
    _, err = publish("--force")
    assert post_id_of(err) == post_id
    assert "Edited on the blog" not in blog.get(f"/wp/v2/posts/{post_id}")["content"]["raw"]
    # revue recorded its own write: the next publish goes through without --force.
    publish()


def test_an_edit_within_the_second_of_revues_write_is_seen(blog: WordPressSite) -> None:
    compose_review("samesecond")
    _, err = publish()
    post_id = post_id_of(err)
    # The content changes, modified_gmt does not: an edit made within the same second.
    blog.php_code(
        "global $wpdb; $wpdb->update($wpdb->posts, array('post_content' => 'Edited at once'), "
        f"array('ID' => {post_id})); clean_post_cache({post_id});"
    )
    _, err = publish(code=ExitCode.PARTIAL)
    assert "edited on the blog" in err and "--force" in err
    assert blog.get(f"/wp/v2/posts/{post_id}")["content"]["raw"] == "Edited at once"


def test_a_lost_create_is_found_by_its_slug(blog: WordPressSite) -> None:
    compose_review("lost")
    _, err = publish()
    post_id = post_id_of(err)
    # As if the answer to the create had been lost: revue recorded nothing.
    with sqlite3.connect(os.environ["REVUE_DB"]) as db:
        db.execute("DELETE FROM review_posts")
    _, err = publish()
    assert post_id_of(err) == post_id and "made by an earlier publish" in err
    same = blog.get("/wp/v2/posts", search="lost", status="draft", per_page="100")
    assert [p["id"] for p in same] == [post_id]


def test_a_deleted_post_is_recreated_only_with_new(blog: WordPressSite) -> None:
    compose_review("deleted")
    _, err = publish()
    first = post_id_of(err)
    blog.php_code(f"wp_delete_post({first}, true);")
    _, err = publish(code=ExitCode.PARTIAL)
    assert f"post #{first} was deleted" in err and "--new" in err
    assert run_json("reviews")[0]["posts"][0]["post_id"] == first  # nothing changed
    _, err = publish("--new")
    second = post_id_of(err)
    assert second != first and "created draft" in err
    assert run_json("reviews")[0]["posts"][0]["post_id"] == second
    # A post moved to the trash is deleted as far as the curator is concerned.
    blog.php_code(f"wp_trash_post({second});")
    _, err = publish(code=ExitCode.PARTIAL)
    assert "trash" in err and "--new" in err


def test_a_wrong_password_is_refused_with_401_and_nothing_is_recorded(
    blog: WordPressSite, monkeypatch: pytest.MonkeyPatch
) -> None:
    compose_review("wrongpw")
    monkeypatch.setenv("REVUE_WORDPRESS_PASSWORD", "abcd efgh ijkl mnop qrst uvwx")
    _, err = publish(code=ExitCode.PARTIAL)
    assert "HTTP 401" in err and "wrong user or application password" in err
    assert len(err.strip().splitlines()) == 1
    assert run_json("reviews")[0]["posts"] == []


def test_a_contributor_may_not_publish_403(
    blog: WordPressSite, monkeypatch: pytest.MonkeyPatch
) -> None:
    compose_review("contrib")
    monkeypatch.setenv("REVUE_WORDPRESS_USER", "contrib")
    monkeypatch.setenv("REVUE_WORDPRESS_PASSWORD", blog.add_user("contrib", "contributor"))
    _, err = publish("--status", "publish", code=ExitCode.PARTIAL)
    assert "HTTP 403" in err and "may not" in err
    assert run_json("reviews")[0]["posts"] == []


def test_publish_now_or_schedule(blog: WordPressSite) -> None:
    compose_review("status")
    _, err = publish("--status", "publish")
    post = blog.get(f"/wp/v2/posts/{post_id_of(err)}")
    assert post["status"] == "publish"
    # An update keeps the status the post has unless asked.
    _, err = publish()
    assert "updated publish" in err


def test_schedule_a_post(blog: WordPressSite) -> None:
    compose_review("scheduled")
    out, _ = publish("--at", "2099-01-02T03:04:05+00:00", "--json", code=ExitCode.OK)
    data = json.loads(out)
    assert data["status"] == "future" and data["action"] == "created"
    post = blog.get(f"/wp/v2/posts/{data['post_id']}")
    assert post["status"] == "future" and post["date_gmt"] == "2099-01-02T03:04:05"


def test_without_pretty_permalinks_the_rest_route_form_is_used(blog: WordPressSite) -> None:
    compose_review("plain")
    log = blog.root / "php.log"
    before = log.stat().st_size
    blog.php_code("update_option('permalink_structure', '');")
    blog.rewrites = False  # /wp-json/ is now a 404 page, as on such a site
    try:
        _, err = publish()
    finally:
        blog.rewrites = True
        blog.php_code(
            "update_option('permalink_structure', '/%year%/%monthnum%/%day%/%postname%/');"
        )
    post_id = post_id_of(err)
    assert blog.get(f"/wp/v2/posts/{post_id}")["status"] == "draft"
    with open(log, "rb") as handle:
        handle.seek(before)
        requests = handle.read().decode("utf-8", "replace")
    # (php -S does not log what its router answered: the 404 of /wp-json/ is not there.)
    assert "]: GET /?rest_route=%2F\n" in requests
    assert "]: POST /?rest_route=%2Fwp%2Fv2%2Fposts\n" in requests
    assert "/wp-json/" not in requests


def test_dry_run_prints_the_request_and_sends_nothing(blog: WordPressSite) -> None:
    compose_review("dry")
    before = blog.get("/wp/v2/posts", status="draft", per_page="100")
    out, _ = publish("--dry-run")
    assert out.startswith(f"POST {blog.url}/wp-json/wp/v2/posts\n")
    assert blog.password not in out
    token = base64.b64encode(f"{blog.user}:{blog.password}".encode()).decode()
    assert token not in out
    assert blog.get("/wp/v2/posts", status="draft", per_page="100") == before
    assert run_json("reviews")[0]["posts"] == []


def test_the_blog_gets_the_workbench_order_and_skips_made_after_compose(
    blog: WordPressSite, tmp_path: Path
) -> None:
    """`revue move` and a skip in `revue week` after the last compose reach the blog; the
    review then records what the blog shows (the skipped item stays for a later review)."""
    from revue.store.db import Store

    urls = compose_review("order")
    run("move", "3", "--before", "1")  # the interview first
    review = run_json("reviews")[0]
    store = Store.open(tmp_path / "revue.db")
    store.set_skipped(
        2, True, start=review["start"], end=review["end"], now="2024-03-19T10:00:00+00:00",
        review_id=review["id"],
    )  # fmt: skip
    store.close()
    _, err = publish()
    content = blog.get(f"/wp/v2/posts/{post_id_of(err)}")["content"]["raw"]
    assert "b.example/order/piege" not in content
    assert content.index(urls["radio"]) < content.index(urls["ia"])
    assert [i["id"] for i in run_json("list", "--review", str(review["id"]))] == [4, 3, 1]
    assert run_json("reviews")[0]["item_count"] == 3
    assert [i["id"] for i in run_json("list", "--unpublished")] == [2]
