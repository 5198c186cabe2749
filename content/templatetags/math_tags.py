"""``{% katex_assets %}``: the stylesheet and scripts that typeset maths on a lesson page.

Put it in the page's ``<head>`` (``{% block extra_head %}``). The scripts are deferred and external, as the content
security policy requires; ``content/js/math.js`` then renders every ``[data-latex]`` element (MathBlock) and the
``\\( … \\)``, ``\\[ … \\]`` and ``$$ … $$`` maths inside ``.rich-text`` elements.
"""

from __future__ import annotations

from django import template
from django.templatetags.static import static
from django.utils.html import format_html

register = template.Library()


@register.simple_tag
def katex_assets():
    return format_html(
        '<link rel="stylesheet" href="{}">\n<link rel="stylesheet" href="{}">\n'
        '<script src="{}" defer></script>\n<script src="{}" defer></script>\n<script src="{}" defer></script>',
        static("vendor/katex/katex.min.css"),
        static("content/css/math.css"),
        static("vendor/katex/katex.min.js"),
        static("vendor/katex/contrib/auto-render.min.js"),
        static("content/js/math.js"),
    )
