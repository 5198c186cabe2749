"""Our own ``imsmanifest.xml`` reader for SCORM 1.2 and SCORM 2004 (2nd, 3rd and 4th editions).

Elements are matched by local name, so both content-packaging namespaces (``imscp_rootv1p1p2`` of 1.2 and
``imscp_v1p1`` of 2004) and manifests without a namespace are read alike. The version comes from
``metadata/schemaversion`` ("1.2", "CAM 1.3" = 2004 2nd edition, "2004 3rd Edition", "2004 4th Edition"), else from
the adlcp namespace. Launch URLs follow the specification: ``xml:base`` of resources/resource, the resource href and
the item's ``parameters``.
"""

from __future__ import annotations

import posixpath
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from django.utils.translation import gettext as _

MANIFEST = "imsmanifest.xml"
ADLCP_12 = "http://www.adlnet.org/xsd/adlcp_rootv1p2"
ADLCP_2004 = "http://www.adlnet.org/xsd/adlcp_v1p3"
XML_BASE = "{http://www.w3.org/XML/1998/namespace}base"


@dataclass
class ScormItem:
    identifier: str
    title: str
    href: str  # launch URL relative to the package root ("" for a folder of the table of contents)
    depth: int
    is_sco: bool = False
    resource: str = ""
    parameters: str = ""
    visible: bool = True
    mastery_score: str = ""  # SCORM 1.2 adlcp:masteryscore
    data_from_lms: str = ""  # adlcp:datafromlms / adlcp:dataFromLMS
    completion_threshold: str = ""  # SCORM 2004 adlcp:completionThreshold

    def as_dict(self) -> dict[str, str]:
        return {"identifier": self.identifier, "title": self.title, "href": self.href}


@dataclass
class ScormManifest:
    version: str = ""  # "1.2" or "2004"
    edition: str = ""  # schemaversion as written ("1.2", "CAM 1.3", "2004 3rd Edition", …)
    identifier: str = ""
    title: str = ""
    organization: str = ""
    toc: list[ScormItem] = field(default_factory=list)  # every item of the default organisation, in order
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def launchable(self) -> list[ScormItem]:
        return [i for i in self.toc if i.href]

    @property
    def scos(self) -> list[ScormItem]:
        """Launchable items in table-of-contents order (SCOs and, in packages made only of assets, the assets)."""
        return self.launchable

    @property
    def launch(self) -> str:
        first_sco = next((i for i in self.toc if i.href and i.is_sco), None)
        first = first_sco or next(iter(self.launchable), None)
        return first.href if first else ""


def _local(tag) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _children(element, name: str):
    return [c for c in element if _local(c.tag) == name]


def _child(element, name: str):
    return next(iter(_children(element, name)), None)


def _text(element, name: str) -> str:
    node = _child(element, name) if element is not None else None
    return (node.text or "").strip() if node is not None else ""


def _attr(element, name: str) -> str:
    """An attribute by local name, whatever its namespace (adlcp:scormtype / adlcp:scormType)."""
    for key, value in element.attrib.items():
        if _local(key).lower() == name.lower():
            return value.strip()
    return ""


def _join(base: str, href: str) -> str:
    if not base:
        return href
    return base if not href else (base.rstrip("/") + "/" + href if not base.endswith("/") else base + href)


def _with_parameters(href: str, parameters: str) -> str:
    """SCORM CAM: strip a leading "?" or "&" from parameters, then append with "?" or "&"."""
    if not parameters:
        return href
    if parameters.startswith("#"):
        return href if "#" in href else href + parameters
    parameters = parameters.lstrip("?&")
    return href + ("&" if "?" in href else "?") + parameters


def parse_manifest(data: bytes, *, package_files: set[str]) -> ScormManifest:
    result = ScormManifest()
    head = data[:4096].lower()
    if b"<!doctype" in head or b"<!entity" in data.lower():
        result.errors.append(_("imsmanifest.xml declares a DTD or entities, which are not allowed (XML bombs)."))
        return result
    try:
        root = ET.fromstring(data)  # noqa: S314 - DTDs and entities were refused above
    except ET.ParseError as exc:
        line, column = exc.position
        result.errors.append(
            _("imsmanifest.xml is not well-formed XML (line %(line)d, column %(column)d): %(reason)s")
            % {"line": line, "column": column + 1, "reason": str(exc).split(":")[0]}
        )
        return result
    if _local(root.tag) != "manifest":
        result.errors.append(_("imsmanifest.xml has no <manifest> root element."))
        return result
    result.identifier = root.get("identifier", "")

    metadata = _child(root, "metadata")
    edition = _text(metadata, "schemaversion") if metadata is not None else ""
    result.edition = edition
    namespaces = set(re.findall(rb'xmlns(?::\w+)?="([^"]+)"', data[:8192]))
    if edition == "1.2" or (not edition and ADLCP_12.encode() in namespaces):
        result.version = "1.2"
    elif (
        edition in {"CAM 1.3", "2004 3rd Edition", "2004 4th Edition"}
        or edition.startswith("2004")
        or (not edition and ADLCP_2004.encode() in namespaces)
    ):
        result.version = "2004"
    else:
        result.errors.append(
            _("imsmanifest.xml: unknown SCORM version “%(version)s” (expected 1.2, CAM 1.3 or 2004 3rd/4th Edition).")
            % {"version": edition or "—"}
        )
        return result

    resources_node = _child(root, "resources")
    resources: dict[str, tuple[str, bool]] = {}  # identifier -> (href with xml:base, is_sco)
    if resources_node is None:
        result.errors.append(_("imsmanifest.xml has no <resources> element."))
        return result
    base = resources_node.get(XML_BASE, "")
    for resource in _children(resources_node, "resource"):
        identifier = resource.get("identifier", "")
        scorm_type = _attr(resource, "scormtype").lower()
        href = resource.get("href", "").strip()
        if scorm_type == "sco" and not href:
            result.errors.append(
                _("imsmanifest.xml: SCO resource “%(resource)s” has no href, so it has no launch page.")
                % {"resource": identifier}
            )
            continue
        full = _join(_join(base, resource.get(XML_BASE, "")), href) if href else ""
        resources[identifier] = (full, scorm_type == "sco")
    if result.errors:
        return result

    organizations = _child(root, "organizations")
    orgs = _children(organizations, "organization") if organizations is not None else []
    if not orgs:
        result.errors.append(_("imsmanifest.xml has no <organization> (no table of contents)."))
        return result
    default = organizations.get("default", "")
    org = next((o for o in orgs if o.get("identifier") == default), orgs[0])
    if default and org.get("identifier") != default:
        result.warnings.append(
            _("imsmanifest.xml: the default organization “%(id)s” does not exist; the first one is used.")
            % {"id": default}
        )
    result.organization = org.get("identifier", "")
    result.title = _text(org, "title")

    def walk(node, depth: int) -> None:
        for item in _children(node, "item"):
            identifier = item.get("identifier", "")
            ref = item.get("identifierref", "")
            href, is_sco = "", False
            if ref:
                if ref not in resources:
                    result.errors.append(
                        _("imsmanifest.xml: item “%(item)s” points to resource “%(resource)s”, which does not exist.")
                        % {"item": identifier, "resource": ref}
                    )
                else:
                    href, is_sco = resources[ref]
                    href = _with_parameters(href, item.get("parameters", "").strip())
            entry = ScormItem(
                identifier=identifier,
                title=_text(item, "title") or identifier,
                href=href,
                depth=depth,
                is_sco=is_sco,
                resource=ref,
                parameters=item.get("parameters", ""),
                visible=item.get("isvisible", "true").strip().lower() != "false",
                mastery_score=_text(item, "masteryscore"),
                data_from_lms=_text(item, "datafromlms") or _text(item, "dataFromLMS"),
                completion_threshold=_text(item, "completionThreshold"),
            )
            result.toc.append(entry)
            walk(item, depth + 1)

    walk(org, 0)
    if result.errors:
        return result
    if not result.launchable:
        result.errors.append(_("imsmanifest.xml: no item of the table of contents has a launch page."))
        return result
    lowered = {n.lower(): n for n in package_files}
    for item in result.launchable:
        target = urlsplit(item.href)
        if target.scheme or target.netloc:
            continue  # an external resource: nothing to check in the package
        path = posixpath.normpath(target.path)
        if path.startswith("../") or path.startswith("/"):
            result.errors.append(
                _("imsmanifest.xml: the launch page “%(href)s” of item “%(item)s” lies outside the package.")
                % {"href": item.href, "item": item.identifier}
            )
        elif path not in package_files:
            hint = lowered.get(path.lower())
            if hint:
                result.errors.append(
                    _(
                        "imsmanifest.xml: launch page “%(href)s” of item “%(item)s” is named “%(actual)s” in the "
                        "package (letter case differs; web servers are case-sensitive)."
                    )
                    % {"href": path, "item": item.identifier, "actual": hint}
                )
            else:
                result.errors.append(
                    _("imsmanifest.xml: launch page “%(href)s” of item “%(item)s” is not in the package.")
                    % {"href": path, "item": item.identifier}
                )
    return result
