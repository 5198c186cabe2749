"""Maths in lessons: a StreamField block holding LaTeX, typeset in the browser by the vendored KaTeX.

Students get the raw LaTeX in the HTML (readable without JavaScript) and ``content/js/math.js`` replaces it with
KaTeX's rendering. In the Wagtail editor the LaTeX textarea (:class:`LatexInput`) carries its own media, so Wagtail's
StreamField collects KaTeX and ``content/js/latex-preview.js`` into the page editor and a live preview appears under
every formula, including formulas added after the page loaded. No inline script and no ``eval`` anywhere: the site's
content security policy allows scripts from ``'self'`` only.

:func:`latex_problems` catches the obviously broken input (unbalanced braces, unmatched environments) and the commands
KaTeX refuses when ``trust`` is off, so a teacher sees a clear message on save instead of red text in the lesson.
"""

from __future__ import annotations

import re

from django import forms
from django.core.exceptions import ValidationError
from django.forms.utils import flatatt
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.blocks.struct_block import StructBlockValidationError

# Commands KaTeX renders only with ``trust`` (links, images, arbitrary classes/ids/styles/data attributes). We render
# with ``trust: false``, so they would show up as red error text: reject them when the formula is saved.
FORBIDDEN_COMMANDS = frozenset(
    {
        r"\href",
        r"\url",
        r"\includegraphics",
        r"\htmlClass",
        r"\htmlId",
        r"\htmlStyle",
        r"\htmlData",
    }
)

_COMMAND = re.compile(r"\\(?:[A-Za-z]+|.)", re.DOTALL)
_ENVIRONMENT_NAME = re.compile(r"\s*\{([^{}]*)\}")


def _tokens(source: str):
    """Yield ``(position, token)`` for commands (``\\frac``, ``\\{``, ``\\\\``) and single characters.

    Comments (``%`` to the end of the line) and the argument of ``\\verb`` are skipped, as KaTeX does.
    """
    position, length = 0, len(source)
    while position < length:
        char = source[position]
        if char == "\\":
            match = _COMMAND.match(source, position)
            if match is None:  # a lone backslash at the very end
                yield position, char
                return
            token = match.group()
            if token == r"\verb":  # \verb|...| or \verb*|...|: the text between the delimiters is literal
                start = match.end() + (1 if source.startswith("*", match.end()) else 0)
                if start < length:
                    closing = source.find(source[start], start + 1)
                    position = length if closing == -1 else closing + 1
                    continue
            yield position, token
            position = match.end()
        elif char == "%":
            newline = source.find("\n", position)
            position = length if newline == -1 else newline + 1
        else:
            yield position, char
            position += 1


def latex_problems(source: str) -> list[str]:
    """Messages (translated, for the editor) about what is obviously wrong with ``source``; empty if it looks fine."""
    problems: list[str] = []
    forbidden: list[str] = []
    depth = 0
    stray_closing = False
    environments: list[str] = []
    environment_problem = ""
    left_right = 0

    for position, token in _tokens(source):
        if token == "{":
            depth += 1
        elif token == "}":
            if depth == 0:
                stray_closing = True
            else:
                depth -= 1
        elif token in FORBIDDEN_COMMANDS:
            if token not in forbidden:
                forbidden.append(token)
        elif token == r"\left":
            left_right += 1
        elif token == r"\right":
            left_right -= 1
        elif token in (r"\begin", r"\end") and not environment_problem:
            name_match = _ENVIRONMENT_NAME.match(source, position + len(token))
            if name_match is None:
                continue  # \begin without a {name}: KaTeX reports it, nothing obvious to add here
            name = name_match.group(1).strip()
            if token == r"\begin":
                environments.append(name)
            elif not environments:
                environment_problem = _("\\end{%(name)s} has no matching \\begin{%(name)s}.") % {"name": name}
            elif environments[-1] != name:
                environment_problem = _("\\begin{%(opened)s} is closed by \\end{%(closed)s}.") % {
                    "opened": environments[-1],
                    "closed": name,
                }
            else:
                environments.pop()

    if stray_closing:
        problems.append(_("Unbalanced braces: a “}” has no matching “{”. Write \\} for a literal brace."))
    if depth > 0:
        problems.append(_("Unbalanced braces: a “{” is never closed. Write \\{ for a literal brace."))
    if not environment_problem and environments:
        environment_problem = _("\\begin{%(name)s} has no matching \\end{%(name)s}.") % {"name": environments[-1]}
    if environment_problem:
        problems.append(environment_problem)
    if left_right != 0:
        problems.append(_("Each \\left needs a matching \\right (use \\right. for an invisible one)."))
    problems.extend(
        _("The command %(command)s is not allowed in formulas.") % {"command": command} for command in forbidden
    )
    return problems


class LatexInput(forms.Textarea):
    """A LaTeX textarea with a live KaTeX preview under it (``content/js/latex-preview.js``).

    ``display_field`` names the sibling ChoiceBlock (same StructBlock) whose value, ``"block"`` or ``"inline"``,
    decides how the preview is typeset.
    """

    def __init__(self, attrs=None, display_field: str | None = None):
        # Wagtail's auto-growing textarea (its ``w-autosize`` Stimulus controller); math.css makes it monospace.
        default_attrs = {
            "rows": 2,
            "class": "w-field__autosize latex-input__source",
            "data-controller": "w-autosize",
            "data-latex-input": "",
            "spellcheck": "false",
            "autocapitalize": "off",
            "autocomplete": "off",
        }
        if display_field:
            default_attrs["data-latex-display-from"] = display_field
        super().__init__({**default_attrs, **(attrs or {})})

    def render(self, name, value, attrs=None, renderer=None):
        textarea = super().render(name, value, attrs=attrs, renderer=renderer)
        final_attrs = self.build_attrs(self.attrs, attrs)
        preview_attrs = {"class": "latex-preview", "data-latex-preview": "", "aria-live": "polite"}
        if final_attrs.get("id"):
            preview_attrs["id"] = f"{final_attrs['id']}-preview"
        # One root element, so Wagtail's telepath widget (which renders this HTML with __NAME__/__ID__ placeholders
        # for blocks added in the editor) keeps the textarea and its preview together.
        return format_html(
            '<div class="latex-input" data-latex-widget>{}'
            '<div class="latex-preview__label">{}</div><div{}></div></div>',
            textarea,
            _("Preview"),
            flatatt(preview_attrs),
        )

    @property
    def media(self):
        return forms.Media(
            css={"all": ["vendor/katex/katex.min.css", "content/css/math.css"]},
            js=["vendor/katex/katex.min.js", "content/js/latex-preview.js"],
        )


class LatexBlock(blocks.TextBlock):
    """A TextBlock edited through :class:`LatexInput`."""

    def __init__(self, display_field: str | None = None, **kwargs):
        self.display_field = display_field
        super().__init__(**kwargs)

    @cached_property
    def field(self):
        return forms.CharField(widget=LatexInput(display_field=self.display_field), **self.field_options)

    class Meta:
        icon = "code"


DISPLAY_CHOICES = [("block", _("On its own line")), ("inline", _("Inline"))]


class MathBlock(blocks.StructBlock):
    """A formula: LaTeX source plus whether it stands on its own line or sits inside the text."""

    latex = LatexBlock(
        label=_("LaTeX"),
        display_field="display",
        help_text=_("LaTeX source without dollar signs, for example \\frac{-b \\pm \\sqrt{\\Delta}}{2a}"),
    )
    display = blocks.ChoiceBlock(choices=DISPLAY_CHOICES, default="block", label=_("Display"))

    def clean(self, value):
        value = super().clean(value)
        problems = latex_problems(value.get("latex") or "")
        if problems:
            raise StructBlockValidationError(block_errors={"latex": ValidationError(problems)})
        return value

    class Meta:
        icon = "code"
        label = _("Formula")
        template = "content/blocks/math.html"
        form_classname = "math-block"
