"""IMS QTI 2.1 / 2.2 items and content packages (``imsmanifest.xml``) and QTI 3.0 items and packages.

QTI 3.0's kebab-case vocabulary (``qti-choice-interaction``, ``response-identifier``) is mapped onto the 2.x names
so one reader handles both. Interactions: choice, hottext (as choice), textEntry (short answer or numeric by base
type), extendedText (essay), match / associate, order, inlineChoice and gapMatch (cloze). Several interactions in
one item become a cloze (inline ones) or a group. Graphic, hotspot, select-point, slider, upload, drawing and
custom (PCI) interactions are reported per item. MathML with a LaTeX annotation becomes ``\\(…\\)``; other MathML
is kept as markup. Images referenced by an item in a package are kept.
"""

from __future__ import annotations

import html
import io
import posixpath
import re
import zipfile
from decimal import Decimal, InvalidOperation
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from lms.assessments.ir import (
    CHOICE_LABELS,
    Choice,
    ImportResult,
    NumericAnswer,
    Pair,
    QType,
    Question,
    Statement,
    TextAnswer,
    regroup,
)

INLINE = {"textEntryInteraction", "inlineChoiceInteraction"}
BLOCK = {
    "choiceInteraction",
    "hottextInteraction",
    "extendedTextInteraction",
    "matchInteraction",
    "associateInteraction",
    "orderInteraction",
    "gapMatchInteraction",
    "sliderInteraction",
}
UNSUPPORTED = {
    "hotspotInteraction",
    "graphicGapMatchInteraction",
    "graphicOrderInteraction",
    "graphicAssociateInteraction",
    "selectPointInteraction",
    "positionObjectInteraction",
    "uploadInteraction",
    "drawingInteraction",
    "mediaInteraction",
    "customInteraction",
    "portableCustomInteraction",
    "endAttemptInteraction",
}
SKIP_IN_BODY = {"rubricBlock", "feedbackBlock", "feedbackInline", "modalFeedback", "templateBlock", "templateInline"}
ITEM_TYPES = re.compile(r"imsqti_(item|apip_item)_xmlv(2p1|2p2|3p0)|imsqti_item_xmlv2p1")


class QtiError(ValueError):
    def __init__(self, message: str, hint: str = ""):
        super().__init__(message)
        self.hint = hint


def _camel(name: str) -> str:
    if "}" in name:
        name = name.split("}", 1)[1]
    if ":" in name:
        name = name.split(":", 1)[1]
    if name.startswith("qti-"):
        head, *rest = name[4:].split("-")
        name = head + "".join(part.capitalize() for part in rest)
    return name


def _attr(name: str) -> str:
    if name.startswith("{http://www.w3.org/XML/1998/namespace}"):
        return "xml" + name.split("}", 1)[1].capitalize()  # xml:base → xmlBase
    if "}" in name:
        name = name.split("}", 1)[1]
    head, *rest = name.split("-")
    return head + "".join(part.capitalize() for part in rest)


def _normalise(el: Element) -> Element:
    el.tag = _camel(el.tag)
    el.attrib = {_attr(k): v for k, v in el.attrib.items()}
    for child in el:
        _normalise(child)
    return el


def _load(data: bytes, where: str) -> Element:
    try:
        return _normalise(fromstring(data))
    except (ParseError, DefusedXmlException) as exc:
        raise QtiError(
            f"{where} is not well-formed XML ({exc})", "Re-export the item from the authoring tool."
        ) from None


# ------------------------------------------------------------------------------------------------------ entry point
def parse(data: bytes, *, result: ImportResult | None = None, name: str = "") -> ImportResult:
    result = result or ImportResult(format="qti")
    if data[:2] == b"PK":
        return _package(data, result)
    number = 0
    try:
        root = _load(data, name or "the file")
    except QtiError as exc:
        result.error(1, str(exc), exc.hint)
        return result
    if root.tag == "assessmentItem":
        _item(root, 1, result, {}, "")
    elif root.tag in ("assessmentTest", "assessmentSection"):
        refs = [r.get("href") for r in root.iter("assessmentItemRef")]
        for number, href in enumerate(refs, start=1):
            result.error(
                number,
                f"the test refers to item file {href!r}, which is not in this file",
                "Import the content package (.zip with imsmanifest.xml) that holds the items.",
            )
        if not refs:
            result.error(None, "The test holds no item reference.", "")
    else:
        result.error(None, f"<{root.tag}> is neither a QTI item nor a test.", "")
    return result


def _package(data: bytes, result: ImportResult) -> ImportResult:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        result.error(None, "The file is not a valid zip archive.", "")
        return result
    names = {n for n in archive.namelist() if not n.startswith("__MACOSX/") and not n.endswith(".DS_Store")}
    items: list[str] = []
    if "imsmanifest.xml" in names:
        try:
            manifest = _load(archive.read("imsmanifest.xml"), "imsmanifest.xml")
        except QtiError as exc:
            result.error(None, str(exc), exc.hint)
            return result
        for resource in manifest.iter("resource"):
            kind = resource.get("type") or ""
            if "test" in kind and resource.get("href") in names:
                try:
                    _load(archive.read(resource.get("href")), resource.get("href"))
                except QtiError as exc:
                    result.error(None, str(exc), "The items still import; fix the test file to keep its structure.")
            if ITEM_TYPES.search(kind) and resource.get("href"):
                items.append(posixpath.normpath(posixpath.join(resource.get("xmlBase") or "", resource.get("href"))))
    else:
        items = sorted(n for n in names if n.endswith(".xml") and b"ssessmentItem" in archive.read(n)[:2000])
        items += sorted(n for n in names if n.endswith(".xml") and b"qti-assessment-item" in archive.read(n)[:2000])
    if not items:
        result.error(None, "The package lists no QTI item.", "Export the items as a QTI content package.")
    number = 0
    for href in items:
        number += 1
        if href not in names:
            result.error(number, f"{href} is listed in imsmanifest.xml but missing from the zip", "")
            continue
        try:
            root = _load(archive.read(href), href)
        except QtiError as exc:
            result.error(number, str(exc), exc.hint)
            continue
        if root.tag in ("assessmentSection", "assessmentTest"):
            number -= 1  # structure listed as an item resource (Onyx does this): not a question
            continue
        if root.tag != "assessmentItem":
            result.error(number, f"{href} is <{root.tag}>, not an item", "")
            continue
        _item(root, number, result, dict.fromkeys(names, archive), posixpath.dirname(href), archive=archive)
    result.questions = regroup(result.questions, _group_count, result)
    return result


def _group_count(q: Question) -> int:
    """Our exporter names a câu chùm's passage item ``…-GROUPn`` (n = its questions, the next n items)."""
    m = re.search(r"-GROUP(\d+)$", q.idnumber)
    if m:
        q.idnumber = ""
    return int(m.group(1)) if m else 0


# ------------------------------------------------------------------------------------------------------ one item
def _values(decl: Element | None) -> list[str]:
    if decl is None:
        return []
    correct = decl.find("correctResponse")
    return [(v.text or "").strip() for v in correct.findall("value")] if correct is not None else []


def _mapping(decl: Element | None) -> dict[str, Decimal]:
    out: dict[str, Decimal] = {}
    if decl is None:
        return out
    for mapping in ("mapping", "areaMapping"):
        m = decl.find(mapping)
        if m is None:
            continue
        for entry in m.findall("mapEntry"):
            try:
                out[entry.get("mapKey") or ""] = Decimal(entry.get("mappedValue") or "0")
            except InvalidOperation:
                continue
    return out


class _Ctx:
    def __init__(self, archive, base: str, result: ImportResult, number: int):
        self.archive = archive
        self.base = base
        self.media: dict[str, bytes] = {}
        self.result = result
        self.number = number
        self.root: Element | None = None


def _item(root: Element, number: int, result: ImportResult, _names, base: str, archive=None) -> None:
    ctx = _Ctx(archive, base, result, number)
    ctx.root = root
    title = root.get("title") or root.get("identifier") or ""
    try:
        q = _build(root, ctx)
    except QtiError as exc:
        result.error(number, f"“{title}”: {exc}", exc.hint)
        return
    for outcome in root.findall("outcomeDeclaration"):
        value = outcome.find("defaultValue/value")
        if outcome.get("identifier") == "MAXSCORE" and value is not None and q.type != QType.CLOZE:
            try:
                if Decimal(value.text or "0") > 0:
                    q.points = Decimal(value.text)
            except InvalidOperation:
                pass
    for feedback in root.findall("modalFeedback"):
        if feedback.get("identifier") == "SOLUTION":
            content = feedback.find("contentBody")
            q.solution = _html(content if content is not None else feedback, ctx, [], {}).strip()
    q.number = number
    q.name = title
    q.idnumber = root.get("identifier") or ""
    q.media = ctx.media
    result.questions.append(q)


def _build(root: Element, ctx: _Ctx) -> Question:
    decls = {d.get("identifier"): d for d in root.findall("responseDeclaration")}
    body = root.find("itemBody")
    if body is None:
        raise QtiError("the item has no itemBody", "")
    if root.find("templateDeclaration") is not None or root.find("templateProcessing") is not None:
        raise QtiError(
            "the item uses template processing (random values), which a bank question cannot hold",
            "Replace the template variables with fixed values.",
        )
    interactions = [el for el in body.iter() if el.tag.endswith("Interaction")]
    unsupported = sorted({el.tag for el in interactions if el.tag in UNSUPPORTED or el.tag not in INLINE | BLOCK})
    if unsupported:
        raise QtiError(
            "unsupported interaction: " + ", ".join(unsupported),
            "Only choice, text entry, extended text, match, order, inline choice, gap match and hottext import.",
        )
    if not interactions:
        return Question(type=QType.DESCRIPTION, stem=_unwrap(_html(body, ctx, [], decls)))
    stimulus = "".join(_stimulus(ref, ctx) for ref in root.findall("assessmentStimulusRef"))
    parts: list[Question] = []
    stem = stimulus + _unwrap(_html(body, ctx, parts, decls))
    if len(parts) == 1 and "{#1}" in stem and interactions[0].tag in BLOCK:
        q = parts[0]
        q.stem = (stem.replace("{#1}", "") + q.stem).strip()
        return q
    if len(parts) == 1 and interactions[0].tag == "textEntryInteraction":
        q = parts[0]
        q.stem = stem.strip()[:-4].strip() if stem.strip().endswith("{#1}") else stem.replace("{#1}", "_____").strip()
        return q
    if all(el.tag in INLINE for el in interactions) or all(p.type == QType.SINGLE for p in parts):
        q = Question(type=QType.CLOZE, stem=stem.strip(), parts=parts)
        q.points = sum((p.points for p in parts), Decimal(0))
        return q
    q = Question(type=QType.GROUP, stem=stem.strip(), parts=parts)
    return q


def _unwrap(stem: str) -> str:
    """Remove our own exporter's wrappers (see exporters/qti.py) so that a round trip gives the same stem."""
    stem = re.sub(r'<div class="qbank-answer">\s*(\{#\d+\})\s*</div>', r"\1", stem.strip())
    if stem.startswith('<div class="qbank-stem">'):
        inner = stem[len('<div class="qbank-stem">') :]
        depth, pos = 1, 0
        for m in re.finditer(r"<div\b|</div>", inner):
            depth += 1 if m.group() == "<div" else -1
            if depth == 0:
                pos = m.start()
                stem = inner[:pos] + inner[m.end() :]
                break
    return stem.strip()


def _stimulus(ref: Element, ctx: _Ctx) -> str:
    href = ref.get("href") or ""
    path = posixpath.normpath(posixpath.join(ctx.base, href))
    if ctx.archive is None:
        raise QtiError(f"the shared stimulus {href} is not in this file", "Import the whole package.")
    try:
        root = _load(ctx.archive.read(path), path)
    except KeyError:
        raise QtiError(f"the shared stimulus {href} is missing from the package", "") from None
    body = root.find("stimulusBody")
    old_base, ctx.base = ctx.base, posixpath.dirname(path)
    try:
        return _html(body, ctx, [], {}) if body is not None else ""
    finally:
        ctx.base = old_base


def _media_src(src: str, ctx: _Ctx) -> str:
    if not src or re.match(r"^[a-z]+:", src) or ctx.archive is None:
        return src
    path = posixpath.normpath(posixpath.join(ctx.base, src))
    names = set(ctx.archive.namelist())
    if path not in names and posixpath.normpath(src) in names:
        path = posixpath.normpath(src)  # TAO exports resolve some paths from the package root
    try:
        ctx.media[posixpath.basename(path)] = ctx.archive.read(path)
    except KeyError:
        ctx.result.warn(ctx.number, f"image {src} is missing from the package", "")
        return src
    return "@@PLUGINFILE@@/" + posixpath.basename(path)


def _math(el: Element) -> str | None:
    for ann in el.iter("annotation"):
        if (ann.get("encoding") or "").lower() in ("latex", "application/x-tex", "tex"):
            return r"\(" + (ann.text or "").strip() + r"\)"
    return None


def _html(el: Element, ctx: _Ctx, parts: list[Question], decls: dict, *, inner: bool = True) -> str:
    out = [html.escape(el.text or "", quote=False)] if inner else []
    for child in el:
        tag = child.tag
        if tag in SKIP_IN_BODY or tag == "prompt":
            pass
        elif tag.endswith("Interaction"):
            parts.append(_interaction(child, ctx, decls, parts))
            out.append(f"{{#{len(parts)}}}")
        elif tag == "math":
            latex = _math(child)
            out.append(latex if latex else _serialise(child))
        elif tag in ("img", "object"):
            attrs = dict(child.attrib)
            key = "src" if tag == "img" else "data"
            attrs[key] = _media_src(attrs.get(key, ""), ctx)
            out.append(
                f"<{tag}{_attrs(attrs)}>" + ("" if tag == "img" else _html(child, ctx, parts, decls) + "</object>")
            )
        elif tag in ("include", "stylesheet"):
            pass
        elif tag in ("br", "hr", "col", "wbr"):
            out.append(f"<{tag}{_attrs(child.attrib)}>")
        else:
            out.append(f"<{tag}{_attrs(child.attrib)}>{_html(child, ctx, parts, decls)}</{tag}>")
        out.append(html.escape(child.tail or "", quote=False))
    return "".join(out)


def _attrs(attrs: dict) -> str:
    keep = {
        k: v
        for k, v in attrs.items()
        if k in ("src", "alt", "width", "height", "data", "type", "class", "href", "style", "lang")
    }
    return "".join(f' {k}="{html.escape(v)}"' for k, v in keep.items())


def _serialise(el: Element, *, tail: bool = False) -> str:
    inner = html.escape(el.text or "", quote=False) + "".join(_serialise(c, tail=True) for c in el)
    return f"<{el.tag}>{inner}</{el.tag}>" + (html.escape(el.tail or "", quote=False) if tail else "")


def _prompt(el: Element, ctx: _Ctx, decls: dict) -> str:
    prompt = el.find("prompt")
    return _html(prompt, ctx, [], decls).strip() if prompt is not None else ""


def _interaction(el: Element, ctx: _Ctx, decls: dict, parts: list[Question]) -> Question:
    tag = el.tag
    decl = decls.get(el.get("responseIdentifier"))
    correct = _values(decl)
    mapping = _mapping(decl)
    prompt = _prompt(el, ctx, decls)
    if tag in ("choiceInteraction", "hottextInteraction", "inlineChoiceInteraction"):
        child_tag = {"choiceInteraction": "simpleChoice", "hottextInteraction": "hottext"}.get(tag, "inlineChoice")
        options = list(el.iter(child_tag))
        max_choices = int(el.get("maxChoices") or "1")
        single = max_choices == 1 and (len(correct) <= 1 or tag == "choiceInteraction")
        q = Question(type=QType.SINGLE if single else QType.MULTIPLE, stem=prompt, shuffle=el.get("shuffle") == "true")
        if "true-false" in (el.get("class") or "").split() and len(options) == 2:
            q.type = QType.TRUE_FALSE
        if tag == "hottextInteraction":
            q.stem = (prompt + _html(el, ctx, [], decls)).strip()
        keys = set(correct) or {k for k, v in mapping.items() if v > 0}
        for index, option in enumerate(options):
            ident = option.get("identifier") or ""
            label = "ĐS"[index] if q.type == QType.TRUE_FALSE else CHOICE_LABELS[index]
            fraction = mapping.get(ident) if mapping else None
            if fraction is not None:
                correct_here = fraction > 0 if q.type == QType.MULTIPLE else fraction >= 1
            else:
                correct_here = ident in keys
            q.choices.append(Choice(label, _html(option, ctx, [], decls).strip(), correct_here, fraction))
        if not any(c.correct for c in q.choices):
            raise QtiError("no correct response is declared", "Set the correct answer in the authoring tool.")
        return q
    if tag == "textEntryInteraction":
        base = (decl.get("baseType") if decl is not None else "") or "string"
        values = correct or [k for k, v in mapping.items() if v > 0]
        if not values:
            raise QtiError("a text entry without a correct response", "Set the correct answer.")
        if base in ("float", "integer"):
            try:
                numeric = [NumericAnswer(Decimal(v.replace(",", "."))) for v in values]
            except InvalidOperation:
                raise QtiError(f"the numeric correct response {values[0]!r} is not a number", "") from None
            for equal in ctx.root.iter("equal"):
                ref = equal.find("correct")
                same = ref is not None and ref.get("identifier") == el.get("responseIdentifier")
                if same and (equal.get("toleranceMode") or "exact") == "absolute" and equal.get("tolerance"):
                    numeric[0].tolerance = Decimal(equal.get("tolerance").split()[0])
            return Question(type=QType.NUMERIC, stem=prompt, numeric=numeric)
        case = decl.find("mapping") is None or (decl.find("mapping").get("caseSensitive") or "true") == "true"
        if mapping:
            answers = [TextAnswer(k, min(v, Decimal(1))) for k, v in mapping.items()]
            answers += [TextAnswer(v) for v in values if v not in mapping]
        else:
            answers = [TextAnswer(v) for v in values]
        return Question(type=QType.SHORT, stem=prompt, answers=answers, case_sensitive=case)
    if tag == "sliderInteraction":
        if not correct:
            raise QtiError("a slider without a correct value", "Set the correct value.")
        try:
            value = Decimal(correct[0])
        except InvalidOperation:
            raise QtiError(f"the slider's correct value {correct[0]!r} is not a number", "") from None
        q = Question(type=QType.NUMERIC, stem=prompt, numeric=[NumericAnswer(value)])
        q.stem = (q.stem + f" ({el.get('lowerBound', '')}–{el.get('upperBound', '')})").strip()
        return q
    if tag == "extendedTextInteraction":
        return Question(type=QType.ESSAY, stem=prompt)
    if tag in ("matchInteraction", "associateInteraction"):
        sets = el.findall("simpleMatchSet")
        if tag == "matchInteraction" and len(sets) == 2:
            left = {
                c.get("identifier"): _html(c, ctx, [], decls).strip() for c in sets[0].findall("simpleAssociableChoice")
            }
            right = {
                c.get("identifier"): _html(c, ctx, [], decls).strip() for c in sets[1].findall("simpleAssociableChoice")
            }
        else:
            choices = {c.get("identifier"): _html(c, ctx, [], decls).strip() for c in el.iter("simpleAssociableChoice")}
            left = right = choices
        pairs_given = correct or [k for k, v in mapping.items() if v > 0]
        if not pairs_given:
            raise QtiError("a match without correct pairs", "Set the correct pairs.")
        if (
            right is not left
            and [re.sub(r"<[^>]+>", "", t) for t in right.values()] == ["Đúng", "Sai"]
            and len(left) == 4
        ):
            truth_id = next(iter(right))
            given = dict(v.split(" ", 1) for v in pairs_given if " " in v)
            if set(given) == set(left):
                statements = [
                    Statement("abcd"[i], text, given[ident] == truth_id) for i, (ident, text) in enumerate(left.items())
                ]
                return Question(type=QType.TF4, stem=prompt, statements=statements)
        q = Question(type=QType.MATCHING, stem=prompt)
        used = set()
        for value in pairs_given:
            a, _, b = value.partition(" ")
            if a not in left or b not in right:
                raise QtiError(f"correct pair {value!r} names unknown choices", "")
            q.pairs.append(Pair(left[a], right[b]))
            used.add(b)
        q.pairs += [Pair("", text) for ident, text in right.items() if ident not in used and right is not left]
        return q
    if tag == "orderInteraction":
        options = {c.get("identifier"): _html(c, ctx, [], decls).strip() for c in el.iter("simpleChoice")}
        if not correct:
            raise QtiError("an order interaction without the correct order", "")
        missing = [c for c in correct if c not in options]
        if missing:
            raise QtiError(f"the correct order names unknown choices {missing}", "")
        return Question(type=QType.ORDERING, stem=prompt, items=[options[c] for c in correct])
    if tag == "gapMatchInteraction":
        texts = {g.get("identifier"): _html(g, ctx, [], decls).strip() for g in el.iter("gapText")}
        texts.update({g.get("identifier"): _html(g, ctx, [], decls).strip() for g in el.iter("gapImg")})
        pairs_given = dict(reversed(v.split(" ", 1)) for v in correct if " " in v)
        if not pairs_given:
            pairs_given = {k.split(" ", 1)[1]: k.split(" ", 1)[0] for k, v in mapping.items() if v > 0 and " " in k}
        if not pairs_given:
            raise QtiError("a gap match without correct pairs", "Set which text belongs in each gap.")
        q = Question(type=QType.CLOZE, stem="")
        body_parts: list[str] = [prompt]
        for child in el:
            if child.tag in ("gapText", "gapImg", "prompt"):
                continue
            body_parts.append(_gap_html(child, ctx, q, texts, pairs_given, decls))
        q.stem = "".join(body_parts).strip()
        q.points = sum((p.points for p in q.parts), Decimal(0))
        return q
    raise QtiError(f"unsupported interaction {tag}", "")


def _gap_html(el: Element, ctx: _Ctx, q: Question, texts: dict, pairs: dict, decls: dict) -> str:
    if el.tag == "gap":
        key = pairs.get(el.get("identifier"))
        part = Question(type=QType.SINGLE, stem="")
        for index, (ident, text) in enumerate(texts.items()):
            part.choices.append(Choice(CHOICE_LABELS[index], text, ident == key))
        if key is None:
            raise QtiError(f"gap {el.get('identifier')} has no correct text", "")
        q.parts.append(part)
        return f"{{#{len(q.parts)}}}" + html.escape(el.tail or "", quote=False)
    inner = html.escape(el.text or "", quote=False) + "".join(_gap_html(c, ctx, q, texts, pairs, decls) for c in el)
    if el.tag == "math":
        latex = _math(el)
        if latex:
            return latex + html.escape(el.tail or "", quote=False)
    return f"<{el.tag}{_attrs(el.attrib)}>{inner}</{el.tag}>" + html.escape(el.tail or "", quote=False)
