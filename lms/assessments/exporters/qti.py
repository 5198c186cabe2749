"""QTI 3.0 content package: ``imsmanifest.xml`` (imscp_v1p1 + qtiv3p0 resources), one ``qti-assessment-item`` per
question, pictures under ``media/``. Read back by ``importers.qti``.

Mapping: single / multiple / true-false → choice interaction; Đúng/Sai → a match interaction of the statements
against Đúng/Sai (one pair per statement); short answer → text entry (string); numeric → text entry (float);
matching → match; ordering → order; cloze → inline choice / text entry; essay → extended text.
"""

from __future__ import annotations

import io
import re
import zipfile
from decimal import Decimal
from xml.etree.ElementTree import Element, SubElement, tostring

from defusedxml.ElementTree import fromstring

from lms.assessments.ir import QType, Question

NS = "http://www.imsglobal.org/xsd/imsqtiasi_v3p0"
CP = "http://www.imsglobal.org/xsd/qti/qtiv3p0/imscp_v1p1"


class ExportError(ValueError):
    pass


def _html(parent: Element, markup: str, media_names: dict[str, str]) -> None:
    """Append ``markup`` (our HTML fragment) as XHTML children of ``parent``."""
    text = markup or ""
    for name, path in media_names.items():
        text = text.replace(f"@@PLUGINFILE@@/{name}", path)
    text = re.sub(r"<br\s*/?>", "<br/>", text)
    text = re.sub(r"<img([^>]*?)\s*/?>", r"<img\1/>", text)
    text = text.replace("&nbsp;", "\u00a0")
    try:
        wrapper = fromstring(f"<div>{text}</div>")
    except Exception:
        wrapper = Element("div")
        wrapper.text = re.sub(r"<[^>]+>", "", text)
    parent.text = (parent.text or "") + (wrapper.text or "")
    for child in list(wrapper):
        parent.append(child)


def _decl(item: Element, ident: str, cardinality: str, base: str, values: list[str], mapping=None) -> None:
    decl = SubElement(item, "qti-response-declaration", identifier=ident, cardinality=cardinality)
    decl.set("base-type", base)
    correct = SubElement(decl, "qti-correct-response")
    for v in values:
        SubElement(correct, "qti-value").text = v
    if mapping:
        m = SubElement(decl, "qti-mapping")
        m.set("default-value", "0")
        for key, value in mapping:
            entry = SubElement(m, "qti-map-entry")
            entry.set("map-key", key)
            entry.set("mapped-value", format(value.normalize(), "f"))


def _best_numeric(q: Question):
    """QTI's correct response holds one number: the full-credit one (other answers are not exported)."""
    return max(q.numeric, key=lambda a: a.fraction)


def item_xml(q: Question, ident: str, media_names: dict[str, str]) -> bytes:
    item = Element("qti-assessment-item", xmlns=NS, identifier=ident, title=q.name or ident)
    item.set("adaptive", "false")
    item.set("time-dependent", "false")
    if q.type in (QType.SINGLE, QType.MULTIPLE, QType.TRUE_FALSE):
        choices = q.choices
        keys = [f"C{i}" for i, c in enumerate(choices) if c.correct]
        multiple = q.type == QType.MULTIPLE
        weights = [(f"C{i}", c.fraction) for i, c in enumerate(choices) if c.fraction is not None]
        plain = all(f in (Decimal(0), Decimal(1)) for _k, f in weights) and q.type != QType.MULTIPLE
        plain = plain and len(keys) == 1
        values = keys if multiple else keys[:1]
        _decl(item, "RESPONSE", "multiple" if multiple else "single", "identifier", values, None if plain else weights)
    elif q.type == QType.TF4:
        _decl(
            item, "RESPONSE", "multiple", "directedPair", [f"S{s.label} {'T' if s.true else 'F'}" for s in q.statements]
        )
    elif q.type == QType.SHORT:
        best = max(q.answers, key=lambda a: a.fraction)
        mapping = [(a.text, a.fraction) for a in q.answers] if len(q.answers) > 1 or best.fraction != 1 else None
        _decl(item, "RESPONSE", "single", "string", [best.text], mapping)
        if mapping:
            item[-1].find("qti-mapping").set("case-sensitive", "true" if q.case_sensitive else "false")
    elif q.type == QType.NUMERIC:
        _decl(item, "RESPONSE", "single", "float", [format(_best_numeric(q).value, "f")] if q.numeric else [])
    elif q.type == QType.MATCHING:
        _decl(item, "RESPONSE", "multiple", "directedPair", [f"L{i} R{i}" for i, p in enumerate(q.pairs) if p.left])
    elif q.type == QType.ORDERING:
        _decl(item, "RESPONSE", "ordered", "identifier", [f"O{i}" for i in range(len(q.items))])
    elif q.type == QType.CLOZE:
        for i, part in enumerate(q.parts, start=1):
            if part.type == QType.SINGLE:
                _decl(
                    item,
                    f"RESPONSE_{i}",
                    "single",
                    "identifier",
                    [f"G{i}_{j}" for j, c in enumerate(part.choices) if c.correct],
                )
            elif part.type == QType.NUMERIC:
                _decl(item, f"RESPONSE_{i}", "single", "float", [format(part.numeric[0].value, "f")])
            elif part.type == QType.SHORT:
                best = max(part.answers, key=lambda a: a.fraction)
                mapping = (
                    [(a.text, a.fraction) for a in part.answers]
                    if len(part.answers) > 1 or best.fraction != 1
                    else None
                )
                _decl(item, f"RESPONSE_{i}", "single", "string", [best.text], mapping)
                if mapping:
                    item[-1].find("qti-mapping").set("case-sensitive", "true" if part.case_sensitive else "false")
            else:
                raise ExportError(f"QTI cannot hold a {part.type} gap")
    elif q.type == QType.ESSAY:
        decl = SubElement(item, "qti-response-declaration", identifier="RESPONSE", cardinality="single")
        decl.set("base-type", "string")
    elif q.type == QType.DESCRIPTION:
        pass
    else:
        raise ExportError(f"QTI cannot hold a {q.type} question here (question {q.number or q.name!r})")
    outcome = SubElement(item, "qti-outcome-declaration", identifier="SCORE", cardinality="single")
    outcome.set("base-type", "float")
    maxscore = SubElement(item, "qti-outcome-declaration", identifier="MAXSCORE", cardinality="single")
    maxscore.set("base-type", "float")
    SubElement(SubElement(maxscore, "qti-default-value"), "qti-value").text = format(q.points, "f")
    body = SubElement(item, "qti-item-body")
    if q.type == QType.CLOZE:
        stem = q.stem
        paragraph = SubElement(body, "div", {"class": "qbank-stem"})
        pieces = re.split(r"\{#(\d+)\}", stem)
        markup = ""
        for index, piece in enumerate(pieces):
            if index % 2 == 0:
                markup += piece
            else:
                markup += f"@@GAP{piece}@@"
        _html(paragraph, markup, media_names)
        _replace_gaps(paragraph, q)
    else:
        stem_div = SubElement(body, "div", {"class": "qbank-stem"})
        _html(stem_div, q.stem, media_names)
    if q.type in (QType.SINGLE, QType.MULTIPLE, QType.TRUE_FALSE):
        inter = SubElement(body, "qti-choice-interaction")
        inter.set("response-identifier", "RESPONSE")
        inter.set("shuffle", "true" if q.shuffle else "false")
        inter.set("max-choices", "0" if q.type == QType.MULTIPLE else "1")
        if q.type == QType.TRUE_FALSE:
            inter.set("class", "true-false")
        for i, c in enumerate(q.choices):
            sc = SubElement(inter, "qti-simple-choice", identifier=f"C{i}")
            _html(sc, c.text, media_names)
    elif q.type in (QType.TF4, QType.MATCHING):
        inter = SubElement(body, "qti-match-interaction")
        inter.set("response-identifier", "RESPONSE")
        inter.set("shuffle", "false")
        left_set = SubElement(inter, "qti-simple-match-set")
        right_set = SubElement(inter, "qti-simple-match-set")
        if q.type == QType.TF4:
            inter.set("max-associations", "4")
            inter.set("class", "tf4")
            for s in q.statements:
                c = SubElement(left_set, "qti-simple-associable-choice", identifier=f"S{s.label}")
                c.set("match-max", "1")
                _html(c, s.text, media_names)
            for ident, label in (("T", "Đúng"), ("F", "Sai")):
                c = SubElement(right_set, "qti-simple-associable-choice", identifier=ident)
                c.set("match-max", "4")
                c.text = label
        else:
            for i, p in enumerate(q.pairs):
                if p.left:
                    c = SubElement(left_set, "qti-simple-associable-choice", identifier=f"L{i}")
                    c.set("match-max", "1")
                    _html(c, p.left, media_names)
            for i, p in enumerate(q.pairs):
                c = SubElement(right_set, "qti-simple-associable-choice", identifier=f"R{i}")
                c.set("match-max", "1")
                _html(c, p.right, media_names)
    elif q.type in (QType.SHORT, QType.NUMERIC):
        inter = SubElement(SubElement(body, "div", {"class": "qbank-answer"}), "qti-text-entry-interaction")
        inter.set("response-identifier", "RESPONSE")
    elif q.type == QType.ORDERING:
        inter = SubElement(body, "qti-order-interaction")
        inter.set("response-identifier", "RESPONSE")
        inter.set("shuffle", "true")
        for i, text in enumerate(q.items):
            sc = SubElement(inter, "qti-simple-choice", identifier=f"O{i}")
            _html(sc, text, media_names)
    elif q.type == QType.ESSAY:
        inter = SubElement(body, "qti-extended-text-interaction")
        inter.set("response-identifier", "RESPONSE")
    if q.type == QType.NUMERIC and q.numeric and _best_numeric(q).tolerance:
        rp = SubElement(item, "qti-response-processing")
        cond = SubElement(SubElement(rp, "qti-response-condition"), "qti-response-if")
        equal = SubElement(cond, "qti-equal")
        equal.set("tolerance-mode", "absolute")
        tol = format(_best_numeric(q).tolerance.normalize(), "f")
        equal.set("tolerance", f"{tol} {tol}")
        SubElement(equal, "qti-variable", identifier="RESPONSE")
        SubElement(equal, "qti-correct", identifier="RESPONSE")
        outcome = SubElement(cond, "qti-set-outcome-value", identifier="SCORE")
        SubElement(outcome, "qti-variable", identifier="MAXSCORE")
    elif q.type != QType.DESCRIPTION:
        rp = SubElement(item, "qti-response-processing")
        rp.set("template", "https://purl.imsglobal.org/spec/qti/v3p0/rptemplates/match_correct.xml")
    if q.solution:
        feedback = SubElement(item, "qti-modal-feedback", identifier="SOLUTION", title="Lời giải")
        feedback.set("outcome-identifier", "FEEDBACK")
        feedback.set("show-hide", "show")
        _html(SubElement(feedback, "qti-content-body"), q.solution, media_names)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + tostring(item, encoding="unicode").encode("utf-8")


def _replace_gaps(el: Element, q: Question) -> None:
    """Turn @@GAPn@@ markers in text and tails into inline interactions."""

    def build(n: int) -> Element:
        part = q.parts[n - 1]
        if part.type == QType.SINGLE:
            inter = Element("qti-inline-choice-interaction")
            inter.set("response-identifier", f"RESPONSE_{n}")
            inter.set("shuffle", "false")
            for j, c in enumerate(part.choices):
                SubElement(inter, "qti-inline-choice", identifier=f"G{n}_{j}").text = re.sub(r"<[^>]+>", "", c.text)
        else:
            inter = Element("qti-text-entry-interaction")
            inter.set("response-identifier", f"RESPONSE_{n}")
        return inter

    def split(text: str):
        return re.split(r"@@GAP(\d+)@@", text or "")

    pieces = split(el.text)
    el.text = pieces[0]
    inserts = []
    for k in range(1, len(pieces), 2):
        node = build(int(pieces[k]))
        node.tail = pieces[k + 1]
        inserts.append(node)
    children = list(el)
    for child in children:
        _replace_gaps(child, q)
    for index, node in enumerate(inserts):
        el.insert(index, node)
    # tails of children
    for child in list(el):
        if child.tail and "@@GAP" in child.tail:
            pieces = split(child.tail)
            child.tail = pieces[0]
            position = list(el).index(child) + 1
            for k in range(1, len(pieces), 2):
                node = build(int(pieces[k]))
                node.tail = pieces[k + 1]
                el.insert(position, node)
                position += 1


def export(questions: list[Question]) -> bytes:
    buffer = io.BytesIO()
    manifest = Element("manifest", xmlns=CP, identifier="MANIFEST-QBANK")
    SubElement(SubElement(manifest, "metadata"), "schema").text = "QTI Package"
    SubElement(manifest, "organizations")
    resources = SubElement(manifest, "resources")
    flat: list[tuple[Question, str]] = []  # a câu chùm: its passage as an item "…-GROUPn", then its n questions
    for q in questions:
        if q.type == QType.GROUP:
            passage = Question(type=QType.DESCRIPTION, stem=q.stem, name=q.name, media=q.media, points=Decimal(0))
            flat.append((passage, f"-GROUP{len(q.parts)}"))
            flat.extend((part, "") for part in q.parts)
        else:
            flat.append((q, ""))
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for index, (q, suffix) in enumerate(flat, start=1):
            ident = f"ITEM_{index:04d}{suffix}"
            media_names = {}
            for name, data in q.media.items():
                if data is None:
                    continue
                path = f"media/{ident}/{name.rsplit('/', 1)[-1]}"
                archive.writestr(path, data)
                media_names[name] = path
            href = f"{ident}.xml"
            archive.writestr(href, item_xml(q, ident, media_names))
            res = SubElement(resources, "resource", identifier=ident, type="imsqti_item_xmlv3p0", href=href)
            SubElement(res, "file", href=href)
            for path in media_names.values():
                SubElement(res, "file", href=path)
        archive.writestr(
            "imsmanifest.xml",
            b'<?xml version="1.0" encoding="UTF-8"?>\n' + tostring(manifest, encoding="unicode").encode("utf-8"),
        )
    return buffer.getvalue()


__all__ = ["Decimal", "export", "item_xml"]
