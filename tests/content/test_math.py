"""Maths in lessons: MathBlock validation and template, the vendored KaTeX, and both renderers in Chromium.

The browser tests serve their pages through ``page.route``: the test page itself is HTML built here (with the site's
real Content-Security-Policy header), and every other request (static files, Wagtail's JavaScript catalogue and icon
sprite) goes through Django's test client, so whitenoise, the finders and the middleware answer as they do on the
site. No URL configuration is needed for a page that exists only in the tests.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import ManifestStaticFilesStorage
from django.core.files.storage import FileSystemStorage
from django.template import engines
from django.test import Client, RequestFactory
from wagtail import blocks
from wagtail.blocks.base import BlockWidget
from wagtail.blocks.struct_block import StructBlockValidationError

from content.math import FORBIDDEN_COMMANDS, LatexInput, MathBlock, latex_problems
from lib.csp import build_policy

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _english_messages():
    """The checks below quote the English msgids; the Vietnamese catalogue is checked in tests/test_project.py."""
    from django.utils import translation

    with translation.override("en"):
        yield


KATEX = ROOT / "content" / "static" / "vendor" / "katex"
ORIGIN = "http://lms.test"

GOOD_LATEX = [
    r"x = \frac{-b \pm \sqrt{\Delta}}{2a}",
    r"\int_0^1 x^2\,dx = \frac{1}{3}",
    r"A = \begin{pmatrix} 1 & 2 \\ 3 & 4 \end{pmatrix}",
    r"\frac{1}{x} \text{ với } x \ne 0",
    r"\left\{ \begin{array}{l} x + y = 3 \\ x - y = 1 \end{array} \right.",
    r"\{1; 2; 3\} \subset \mathbb{N}",  # escaped braces are not groups
    r"a \\{b}",  # \\ is a line break, so the braces after it are a real (balanced) group
    "50\\% \\text{ học sinh} % comment with a stray {\n + 1",
    r"\verb|{| + 1",
]


def _clean(latex: str, display: str = "block"):
    return MathBlock().clean({"latex": latex, "display": display})


def _latex_errors(latex: str) -> list[str]:
    with pytest.raises(StructBlockValidationError) as caught:
        _clean(latex)
    assert set(caught.value.block_errors) == {"latex"}  # shown under the LaTeX field, not the whole block
    return [str(message) for message in caught.value.block_errors["latex"].messages]


# --------------------------------------------------------------------------------------------------------------------
# Validation


@pytest.mark.parametrize("latex", GOOD_LATEX)
def test_clean_accepts_good_latex(latex):
    value = _clean(latex)
    assert value["latex"] == latex
    assert value["display"] == "block"
    assert latex_problems(latex) == []


@pytest.mark.parametrize(
    ("latex", "message"),
    [
        (r"\frac{-b \pm \sqrt{\Delta}{2a}", "Unbalanced braces: a “{” is never closed."),
        (r"x^{2}}", "Unbalanced braces: a “}” has no matching “{”."),
        (r"\{x}", "Unbalanced braces: a “}” has no matching “{”."),
        (r"\begin{pmatrix} 1 & 2", r"\begin{pmatrix} has no matching \end{pmatrix}."),
        (r"1 & 2 \end{bmatrix}", r"\end{bmatrix} has no matching \begin{bmatrix}."),
        (r"\begin{pmatrix} 1 \end{bmatrix}", r"\begin{pmatrix} is closed by \end{bmatrix}."),
        (r"\left( \frac{1}{2}", r"Each \left needs a matching \right"),
    ],
)
def test_clean_rejects_broken_latex_with_a_specific_message(latex, message):
    errors = _latex_errors(latex)
    assert any(error.startswith(message) for error in errors), errors


@pytest.mark.parametrize("command", sorted(FORBIDDEN_COMMANDS))
def test_clean_rejects_commands_that_need_trust_naming_them(command):
    assert _latex_errors(rf"x + {command}{{a}}{{b}}") == [f"The command {command} is not allowed in formulas."]


def test_forbidden_commands_match_whole_names_only():
    assert latex_problems(r"\urlx + \hrefs") == []  # unknown to KaTeX, but not the forbidden commands


def test_clean_reports_every_problem_at_once():
    errors = _latex_errors(r"\href{https://example.com}{x} \begin{cases} \frac{1}{2")
    assert errors == [
        "Unbalanced braces: a “{” is never closed. Write \\{ for a literal brace.",
        r"\begin{cases} has no matching \end{cases}.",
        r"The command \href is not allowed in formulas.",
    ]


def test_latex_is_required():
    with pytest.raises(StructBlockValidationError) as caught:
        _clean("")
    assert "latex" in caught.value.block_errors


def test_display_choices():
    assert _clean("x", display="inline")["display"] == "inline"
    with pytest.raises(StructBlockValidationError):
        _clean("x", display="sideways")
    assert MathBlock().get_default()["display"] == "block"


# --------------------------------------------------------------------------------------------------------------------
# Template


def test_block_template_keeps_the_latex_as_readable_fallback():
    html = MathBlock().render(MathBlock().to_python({"latex": r"\sqrt{2} \approx 1{,}41", "display": "block"}))
    assert '<div class="math math--block" data-latex="\\sqrt{2} \\approx 1{,}41" data-display="block">' in html
    assert ">\\sqrt{2} \\approx 1{,}41</div>" in html

    inline = MathBlock().render(MathBlock().to_python({"latex": "x^2", "display": "inline"}))
    assert '<span class="math math--inline" data-latex="x^2" data-display="inline">x^2</span>' in inline


def test_block_template_escapes_html():
    latex = "\\text{<script>alert(\"xin chào\")</script>} & 'a'"
    html = MathBlock().render(MathBlock().to_python({"latex": latex, "display": "block"}))
    assert "<script>" not in html
    escaped = "\\text{&lt;script&gt;alert(&quot;xin chào&quot;)&lt;/script&gt;} &amp; &#x27;a&#x27;"
    assert f'data-latex="{escaped}"' in html  # the attribute cannot be closed early
    assert f">{escaped}</div>" in html


# --------------------------------------------------------------------------------------------------------------------
# Editor widget and its media


def test_latex_widget_renders_textarea_and_preview():
    html = LatexInput(display_field="display").render("body-0-value-latex", "x^2", attrs={"id": "body-0-value-latex"})
    assert "data-latex-widget" in html
    textarea = re.search(r"<textarea[^>]*>", html).group()
    for attribute in ('name="body-0-value-latex"', "data-latex-input", 'data-latex-display-from="display"'):
        assert attribute in textarea
    assert 'data-controller="w-autosize"' in textarea  # Wagtail's auto-growing textarea
    assert 'id="body-0-value-latex-preview"' in html
    assert "<script" not in html


def test_streamfield_collects_katex_and_preview_script_into_the_editor():
    """The page editor's media comes from the StreamField's BlockWidget, which gathers every block widget's media."""
    widget = BlockWidget(blocks.StreamBlock([("math", MathBlock()), ("text", blocks.CharBlock())]))
    js = widget.media.render_js()
    css = widget.media.render_css()
    katex_js = next(i for i, tag in enumerate(js) if "vendor/katex/katex.min.js" in tag)
    preview_js = next(i for i, tag in enumerate(js) if "content/js/latex-preview.js" in tag)
    assert katex_js < preview_js
    assert any("vendor/katex/katex.min.css" in tag for tag in css)
    assert any("content/css/math.css" in tag for tag in css)
    # Blocks added in the editor are rendered by telepath from this HTML, placeholders and all.
    html = widget.render("body", widget.block_def.to_python([]))
    assert "data-latex-input" in html
    assert "__ID__-preview" in html


# --------------------------------------------------------------------------------------------------------------------
# Vendored files and the template tag


def test_vendored_katex_files_exist():
    version = (KATEX / "VERSION").read_text().strip()
    assert re.fullmatch(r"\d+\.\d+\.\d+", version)
    assert f'version:"{version}"' in (KATEX / "katex.min.js").read_text()
    assert "MIT License" in (KATEX / "LICENSE").read_text()
    for name in ("katex.min.css", "contrib/auto-render.min.js"):
        assert (KATEX / name).stat().st_size > 1000
    assert not (ROOT / "node_modules").exists()
    assert not list(ROOT.glob("content/**/node_modules"))


def test_katex_css_references_only_existing_fonts():
    css = (KATEX / "katex.min.css").read_text()
    references = re.findall(r"url\(([^)]+)\)", css)
    assert references
    assert all(reference.startswith("fonts/KaTeX_") for reference in references), references
    missing = [reference for reference in references if not (KATEX / reference).is_file()]
    assert missing == []
    # Every @font-face offers woff2 first.
    for face in re.findall(r"@font-face\{[^}]*\}", css):
        assert re.search(r"src:url\(fonts/[^)]+\.woff2\) format\(\"woff2\"\)", face), face


def test_katex_passes_production_manifest_storage(tmp_path):
    """Production's manifest storage rewrites url(...) in CSS and fails on a reference to a missing file."""
    source = FileSystemStorage(location=ROOT / "content" / "static")
    target = ManifestStaticFilesStorage(location=tmp_path, base_url="/static/")
    paths = {}
    for file in KATEX.rglob("*"):
        if file.is_file():
            name = file.relative_to(ROOT / "content" / "static").as_posix()
            (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(file, tmp_path / name)
            paths[name] = (source, name)
    results = list(target.post_process(paths))
    failures = [(name, processed) for name, _hashed, processed in results if isinstance(processed, Exception)]
    assert failures == []
    hashed_css = target.stored_name("vendor/katex/katex.min.css")
    assert re.search(r'url\("?fonts/KaTeX_Main-Regular\.[0-9a-f]{12}\.woff2"?\)', (tmp_path / hashed_css).read_text())


def test_katex_assets_tag():
    html = engines["django"].from_string("{% load math_tags %}{% katex_assets %}").render({})
    assert re.findall(r'<(?:link rel="stylesheet" href|script src)="([^"]+)"', html) == [
        "/static/vendor/katex/katex.min.css",
        "/static/content/css/math.css",
        "/static/vendor/katex/katex.min.js",
        "/static/vendor/katex/contrib/auto-render.min.js",
        "/static/content/js/math.js",
    ]
    assert html.count(" defer></script>") == 3  # external and deferred: allowed by script-src 'self', run in order
    for path in ("vendor/katex/katex.min.css", "content/css/math.css", "content/js/math.js"):
        assert finders.find(path), path


# --------------------------------------------------------------------------------------------------------------------
# In Chromium


class BrowserLog:
    def __init__(self, page):
        self.errors: list[str] = []
        self.csp: list[str] = []
        self.requests: dict[str, int] = {}
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        page.on("console", self._console)

    def _console(self, message):
        if "Content Security Policy" in message.text:
            self.csp.append(message.text)
        elif message.type == "error":
            self.errors.append(message.text)


def _serve(page, html: str) -> BrowserLog:
    """Serve ``html`` at ORIGIN/ with the site's CSP; everything else under ORIGIN through Django's test client."""
    log = BrowserLog(page)
    client = Client()
    csp = build_policy(settings.CONTENT_SECURITY_POLICY)

    def handle(route):
        path = urlsplit(route.request.url).path
        if path == "/":
            log.requests[path] = 200
            headers = {"Content-Type": "text/html; charset=utf-8", "Content-Security-Policy": csp}
            route.fulfill(status=200, headers=headers, body=html)
            return
        response = client.get(path)
        body = b"".join(response)
        response.close()
        log.requests[path] = response.status_code
        headers = {name: value for name, value in response.items() if name.lower() in {"content-type"}}
        route.fulfill(status=response.status_code, headers=headers, body=body)

    page.route(f"{ORIGIN}/**", handle)
    return log


def _math_block(latex: str, display: str = "block") -> str:
    block = MathBlock()
    return block.render(block.to_python({"latex": latex, "display": display}))


@pytest.mark.e2e
def test_lesson_page_typesets_formulas_and_rich_text(page):
    assets = engines["django"].from_string("{% load math_tags %}{% katex_assets %}").render({})
    broken_html = _math_block(r"\frac{1}{")
    quadratic_html = _math_block(r"x = \frac{-b \pm \sqrt{\Delta}}{2a}")
    inline_html = _math_block(r"\text{với } x \ne 0", "inline")
    trusted_html = _math_block(r"\href{https://example.com}{x}")
    html = f"""<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8"><title>Bài học</title>{assets}</head>
    <body>
      <div class="lesson-body rich-text">
        <section id="broken">{broken_html}</section>
        <section id="quadratic">{quadratic_html}</section>
        <p id="inline">Với {inline_html} ta có</p>
        <section id="trusted">{trusted_html}</section>
      </div>
      <div class="rich-text" id="rich">
        <p>Định lí Py-ta-go: \\(a^2 + b^2 = c^2\\).</p>
        <p>$$\\sum_{{k=1}}^{{n}} k = \\frac{{n(n+1)}}{{2}}$$</p>
        <p id="price">Giá vé: 5$ cho học sinh, 10$ cho người lớn.</p>
        <code>\\(x\\)</code>
      </div>
      <div class="rich-text" id="dollars" data-math-dollar><p>Khi $x \\ne 0$ thì</p></div>
    </body></html>"""
    log = _serve(page, html)
    page.goto(f"{ORIGIN}/")
    page.wait_for_selector("#quadratic .math[data-latex] .katex")

    quadratic = page.locator("#quadratic .math")
    assert quadratic.locator(".katex-display").count() == 1
    assert quadratic.locator(".katex").count() == 1  # inside .rich-text too, but typeset once
    assert quadratic.get_attribute("data-math-rendered") == "true"
    assert quadratic.locator("annotation").text_content() == r"x = \frac{-b \pm \sqrt{\Delta}}{2a}"
    inline = page.locator("#inline .math")
    assert inline.locator(".katex").count() == 1
    assert inline.locator(".katex-display").count() == 0
    assert "với" in inline.locator(".katex-html").inner_text()

    # A broken formula shows KaTeX's error (red source, message in the title) and the page goes on.
    error = page.locator("#broken .math .katex-error")
    assert error.count() == 1
    assert "ParseError" in error.get_attribute("title")
    # trust: false, so a link command is not turned into a link.
    assert page.locator("#trusted a").count() == 0

    rich = page.locator("#rich")
    assert rich.locator(".katex").count() == 2
    assert rich.locator(".katex-display").count() == 1
    assert page.locator("#price").inner_text() == "Giá vé: 5$ cho học sinh, 10$ cho người lớn."
    assert page.locator("#rich code").inner_text() == "\\(x\\)"
    assert page.locator("#dollars .katex").count() == 1

    families = page.evaluate(
        "document.fonts.ready.then(() => [...document.fonts].filter(f => f.status === 'loaded').map(f => f.family))"
    )
    assert "KaTeX_Main" in families
    fonts = {path: status for path, status in log.requests.items() if "/fonts/" in path}
    assert fonts
    assert all(path.endswith(".woff2") and status == 200 for path, status in fonts.items()), fonts
    assert log.requests["/static/content/js/math.js"] == 200
    assert log.errors == []
    assert log.csp == []


def _display_select(name: str) -> str:
    return f'<select name="{name}"><option value="block">block</option><option value="inline">inline</option></select>'


@pytest.mark.e2e
def test_editor_preview_updates_for_existing_and_added_textareas(page):
    widget = LatexInput(display_field="display")
    field = widget.render("body-0-value-latex", r"\sqrt{2}", attrs={"id": "body-0-value-latex"})
    html = f"""<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8"><title>Soạn bài</title>
    {widget.media}</head>
    <body><form id="form">{field}{_display_select("body-0-value-display")}</form></body></html>"""
    log = _serve(page, html)
    page.goto(f"{ORIGIN}/")

    preview = page.locator("#body-0-value-latex-preview")
    page.wait_for_selector("#body-0-value-latex-preview .katex")
    assert preview.locator("annotation").text_content() == r"\sqrt{2}"
    assert preview.locator(".katex-display").count() == 1

    page.fill("#body-0-value-latex", r"\int_0^1 x^2\,dx")
    assert preview.locator("annotation").text_content() == r"\int_0^1 x^2\,dx"
    page.select_option("select[name=body-0-value-display]", "inline")
    assert preview.locator(".katex").count() == 1
    assert preview.locator(".katex-display").count() == 0

    page.fill("#body-0-value-latex", r"\frac{1}{")
    message = preview.locator(".latex-preview__error")
    assert message.inner_text().startswith("KaTeX parse error:")
    assert preview.locator(".katex").count() == 0
    page.fill("#body-0-value-latex", "")
    assert preview.inner_text() == ""

    # A block added after the page loaded, value set straight away (as Wagtail's telepath widgets do).
    page.evaluate(
        """() => {
            const textarea = document.createElement("textarea");
            textarea.name = "body-1-value-latex";
            textarea.setAttribute("data-latex-input", "");
            textarea.value = "a^2 + b^2 = c^2";
            document.getElementById("form").append(textarea);
        }"""
    )
    added = page.locator("textarea[name=body-1-value-latex] + .latex-preview")
    added.locator(".katex").wait_for()
    assert added.locator("annotation").text_content() == "a^2 + b^2 = c^2"
    page.fill("textarea[name=body-1-value-latex]", r"\begin{pmatrix}1 & 0\\0 & 1\end{pmatrix}")
    assert added.locator(".mord.mtable, .mtable").count() >= 1
    assert log.errors == []
    assert log.csp == []


@pytest.mark.e2e
def test_preview_in_wagtail_streamfield_editor(page, db):
    """Wagtail's own StreamField JavaScript renders the block, adds a new one, and the preview follows both."""
    stream = blocks.StreamBlock([("math", MathBlock()), ("text", blocks.CharBlock())])
    widget = BlockWidget(stream)
    value = stream.to_python([{"type": "math", "value": {"latex": r"\frac{-b \pm \sqrt{\Delta}}{2a}"}}])
    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    html = (
        engines["django"]
        .from_string(
            """{% extends "wagtailadmin/admin_base.html" %}
        {% block extra_css %}{{ media.css }}{% endblock %}
        {% block extra_js %}{{ media.js }}{% endblock %}
        {% block furniture %}<main id="main"><form>{{ field }}</form></main>{% endblock %}"""
        )
        .render({"media": widget.media, "field": widget.render("body", value)}, request)
    )
    log = _serve(page, html)
    page.goto(f"{ORIGIN}/")

    first = page.locator("#body-0-value-latex-preview")
    first.locator(".katex").wait_for()
    assert first.locator("annotation").text_content() == r"\frac{-b \pm \sqrt{\Delta}}{2a}"
    page.fill("#body-0-value-latex", r"\lim_{n \to \infty} \frac{1}{n} = 0")
    assert first.locator("annotation").text_content() == r"\lim_{n \to \infty} \frac{1}{n} = 0"

    # Add a second formula with Wagtail's "+" button and block chooser.
    page.locator("button.c-sf-add-button").last.click()
    page.locator(".w-combobox__option", has_text="Formula").click()
    second = page.locator("#body-1-value-latex")
    second.wait_for()
    page.fill("#body-1-value-latex", r"\begin{pmatrix} 1 & 2 \\ 3 & 4 \end{pmatrix}")
    preview = page.locator("#body-1-value-latex-preview")
    assert preview.locator("annotation").text_content() == r"\begin{pmatrix} 1 & 2 \\ 3 & 4 \end{pmatrix}"
    assert preview.locator(".katex-display").count() == 1
    page.select_option("select[name=body-1-value-display]", "inline")
    assert preview.locator(".katex-display").count() == 0
    page.fill("#body-1-value-latex", r"\sqrt{")
    assert preview.locator(".latex-preview__error").inner_text().startswith("KaTeX parse error:")

    # Duplicating sets the copy's value from script, with no input event: the MutationObserver previews it.
    page.locator("button[data-streamfield-action=DUPLICATE]").first.click()  # the first block's
    copy = page.locator("#body-2-value-latex-preview")
    copy.locator(".katex").wait_for()
    assert copy.locator("annotation").text_content() == r"\lim_{n \to \infty} \frac{1}{n} = 0"

    assert log.requests["/static/content/js/latex-preview.js"] == 200
    assert log.errors == []
    assert log.csp == []
