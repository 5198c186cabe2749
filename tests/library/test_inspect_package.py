"""Package inspection: every shared fixture accepted and described, every negative one and every unsafe archive
rejected with a message naming the problem; the acceptance command's JSON and exit code."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from django.core.management import call_command
from django.utils import translation

from lms.library.packages.inspect import inspect_package
from lms.library.packages.limits import MB, Limits
from tests.library.packages import H5P_DIR, SCORM12_MANIFEST, SCORM_DIR, greeting_library, h5p_package, scorm_package

pytestmark = pytest.mark.django_db

POSITIVE = sorted(H5P_DIR.glob("*.h5p")) + sorted(SCORM_DIR.glob("*.zip"))
NEGATIVE = sorted((H5P_DIR / "negative").glob("*")) + sorted((SCORM_DIR / "negative").glob("*"))

# What each fixture must be described as: kind, title, SCORM version, launch, number of launchable items.
EXPECTED = {
    "H5P.Accordion.h5p": ("h5p", "Accordion", "", "H5P.Accordion-1.0", 0),
    "H5P.ArithmeticQuiz.h5p": ("h5p", "Arithmetic Quiz", "", "H5P.ArithmeticQuiz-1.1", 0),
    "H5P.Blanks.h5p": ("h5p", "Fill in the Blanks", "", "H5P.Blanks-1.12", 0),
    "H5P.Dialogcards.h5p": ("h5p", "Dialog Cards", "", "H5P.Dialogcards-1.8", 0),
    "H5P.DragQuestion.h5p": ("h5p", "Drag and Drop", "", "H5P.DragQuestion-1.13", 0),
    "H5P.DragText.h5p": ("h5p", "Drag the Words", "", "H5P.DragText-1.8", 0),
    "H5P.Essay.h5p": ("h5p", "Essay", "", "H5P.Essay-1.2", 0),
    "H5P.ImageHotspotQuestion.h5p": ("h5p", "Find the Hotspot", "", "H5P.ImageHotspotQuestion-1.8", 0),
    "H5P.MarkTheWords.h5p": ("h5p", "Mark the Words", "", "H5P.MarkTheWords-1.9", 0),
    "H5P.MultiChoice.h5p": ("h5p", "Multiple Choice", "", "H5P.MultiChoice-1.14", 0),
    "H5P.SingleChoiceSet.h5p": ("h5p", "Single Choice Set", "", "H5P.SingleChoiceSet-1.11", 0),
    "H5P.Summary.h5p": ("h5p", "Summary", "", "H5P.Summary-1.10", 0),
    "H5P.TrueFalse.h5p": ("h5p", "True/False Question", "", "H5P.TrueFalse-1.6", 0),
    "H5PMath.h5p": ("h5p", "Math Question with LaTeX", "", "H5P.MultiChoice-1.16", 0),
    "blanks-with-image.h5p": ("h5p", "¿Dónde está el gato?", "", "H5P.Blanks-1.14", 0),
    "crossword.h5p": ("h5p", "Crossword", "", "H5P.Crossword-0.5", 0),
    "h5p-standalone-test.h5p": ("h5p", "Hello World", "", "H5P.TrueFalse-1.6", 0),
    "image-sequencing.h5p": ("h5p", "ciclo del agua.", "", "H5P.ImageSequencing-1.1", 0),
    "ContentPackagingMetadata_SCORM20043rdEdition.zip": (
        "scorm",
        "Golf Explained - Metadata Example",
        "2004",
        "shared/launchpage.html",
        1,
    ),
    "ContentPackagingOneFilePerSCO_SCORM12.zip": (
        "scorm",
        "Golf Explained - CP One File Per SCO",
        "1.2",
        "Playing/Playing.html",
        18,
    ),
    "RuntimeBasicCalls_SCORM12.zip": (
        "scorm",
        "Golf Explained - Run-time Basic Calls",
        "1.2",
        "shared/launchpage.html",
        1,
    ),
    "RuntimeBasicCalls_SCORM20043rdEdition.zip": (
        "scorm",
        "Golf Explained - Run-time Basic Calls",
        "2004",
        "shared/launchpage.html",
        1,
    ),
    "SequencingSimpleRemediation_SCORM20043rdEdition.zip": (
        "scorm",
        "Golf Explained - Simple Remediation",
        "2004",
        "shared/launchpage.html?content=playing",
        8,
    ),
}
# The problem each negative fixture has, as a word the message must contain.
NEGATIVE_PROBLEM = {
    "broken-content-json.h5p": "content/content.json",
    "corrupt_archive.h5p": "ZIP",
    "invalid-h5p-json-schema.h5p": "mainLibrary",
    "invalid-library-directory-name.h5p": "H5P.GreetingCard-1.0",
    "MalformedXml_SCORM12.zip": "line 27",
    "MissingLaunchUrl_SCORM12.zip": "resource_1",
}


def test_every_fixture_has_an_expectation():
    assert {p.name for p in POSITIVE} == set(EXPECTED)
    assert {p.name for p in NEGATIVE} == set(NEGATIVE_PROBLEM)


@pytest.mark.parametrize("path", POSITIVE, ids=lambda p: p.name)
def test_fixture_is_accepted_and_described(path):
    with translation.override("en"):
        report = inspect_package(path)
    kind, title, version, launch, scos = EXPECTED[path.name]
    assert report.errors == []
    assert report.ok
    assert (report.kind, report.title, report.version, report.launch, len(report.scos)) == (
        kind,
        title,
        version,
        launch,
        scos,
    )
    if kind == "h5p":
        assert launch in report.libraries
    else:
        assert report.scos[0]["href"].split("?")[0] == launch.split("?")[0] or report.scos[0]["href"] == launch
        assert all(set(s) == {"identifier", "title", "href"} and s["href"] for s in report.scos)


@pytest.mark.parametrize("path", NEGATIVE, ids=lambda p: p.name)
def test_negative_fixture_is_rejected_naming_the_problem(path):
    with translation.override("en"):
        report = inspect_package(path)
    assert not report.ok
    assert any(NEGATIVE_PROBLEM[path.name] in e for e in report.errors), report.errors


def test_multi_sco_table_of_contents_in_order():
    report = inspect_package(SCORM_DIR / "SequencingSimpleRemediation_SCORM20043rdEdition.zip")
    assert [s["identifier"] for s in report.scos] == [
        "playing_item",
        "etuqiette_item",
        "handicapping_item",
        "havingfun_item",
        "test_1",
        "test_2",
        "test_3",
        "test_4",
    ][: len(report.scos)]
    assert report.scos[4]["href"] == "shared/launchpage.html?content=assessment1"  # item parameters appended
    assert report.manifest.toc[0].identifier == "content_wrapper" and not report.manifest.toc[0].visible


def test_scorm_1_2_parameters_appended_to_launch_url():
    report = inspect_package(SCORM_DIR / "ContentPackagingOneFilePerSCO_SCORM12.zip")
    quiz = next(s for s in report.scos if s["identifier"] == "playing_quiz_item")
    assert quiz["href"] == "shared/assessmenttemplate.html?questions=Playing"


def test_content_only_h5p_is_accepted_with_a_warning_and_its_libraries_listed():
    report = inspect_package(H5P_DIR / "crossword.h5p")
    assert report.ok and report.libraries == ["H5P.Crossword-0.5"]
    assert [r.key for r in report.h5p.missing] == ["H5P.Crossword-0.5"]
    assert any("H5P.Crossword 0.5" in w for w in report.warnings)
    stored = inspect_package(H5P_DIR / "crossword.h5p", stored_libraries=frozenset({"H5P.Crossword-0.5"}))
    assert stored.ok and stored.h5p.missing == []
    assert not any("library does not have" in w for w in stored.warnings)


def test_macos_metadata_is_ignored_and_external_scripts_are_not_loaded():
    report = inspect_package(H5P_DIR / "H5PMath.h5p")
    assert report.ok
    assert not any("__MACOSX" in e for e in report.errors)
    assert any("preloadedJs" in w for w in report.warnings)


def _write(tmp_path, name, data: bytes):
    path = tmp_path / name
    path.write_bytes(data)
    return path


def _errors(tmp_path, name, data, **kw):
    with translation.override("en"):
        report = inspect_package(_write(tmp_path, name, data), **kw)
    assert not report.ok
    return report.errors


def test_hand_made_h5p_is_accepted(tmp_path):
    report = inspect_package(_write(tmp_path, "greeting.h5p", h5p_package()))
    assert report.ok, report.errors
    assert report.libraries == ["H5P.Greeting-1.0"]


@pytest.mark.parametrize(
    ("member", "expected"),
    [
        ("../../etc/passwd.txt", "path traversal"),
        ("content/../../evil.json", "path traversal"),
        ("/etc/cron.d/evil.txt", "absolute paths"),
        ("C:/Windows/evil.txt", "absolute paths"),
        ("content\\..\\evil.txt", "path traversal"),
        ("content/shell.php", ".php files are not allowed"),
        ("content/run.exe", ".exe files are not allowed"),
        ("content/page.html", ".html files are not allowed"),
    ],
)
def test_unsafe_member_names_are_rejected(tmp_path, member, expected):
    errors = _errors(tmp_path, "bad.h5p", h5p_package({member: "x"}))
    assert any(expected in e and member in e for e in errors), errors


def test_symlink_is_rejected(tmp_path):
    errors = _errors(tmp_path, "link.h5p", h5p_package(symlinks={"content/passwd.txt": "/etc/passwd"}))
    assert any("symbolic links" in e and "content/passwd.txt" in e for e in errors)


def test_zip_bomb_by_ratio_is_rejected(tmp_path):
    errors = _errors(tmp_path, "bomb.h5p", h5p_package({"content/zeros.txt": b"\0" * (20 * MB)}))
    assert any("zip bomb" in e and "content/zeros.txt" in e for e in errors), errors


def test_zip_bomb_by_total_size_is_rejected(tmp_path):
    limits = Limits(expanded_max_bytes=2 * MB, max_compression_ratio=10_000)
    members = {f"content/part{i}.txt": b"a" * MB for i in range(3)}
    errors = _errors(tmp_path, "big.h5p", h5p_package(members), limits=limits)
    assert any("expands to 3.0 MB" in e and "zip bomb" in e for e in errors), errors


def test_too_many_files_is_rejected(tmp_path):
    errors = _errors(
        tmp_path, "many.h5p", h5p_package({f"content/{i}.txt": "" for i in range(30)}), limits=Limits(max_members=20)
    )
    assert any("at most 20" in e for e in errors)


def test_package_size_limit(tmp_path):
    errors = _errors(tmp_path, "greeting.h5p", h5p_package(), limits=Limits(package_max_bytes=100))
    assert any("greeting.h5p" in e and "at most" in e for e in errors)


@pytest.mark.parametrize(
    "svg",
    [
        '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"></svg>',
        '<svg xmlns="http://www.w3.org/2000/svg"><a href="javascript:alert(1)"><text>x</text></a></svg>',
        '<svg xmlns="http://www.w3.org/2000/svg"><foreignObject><body/></foreignObject></svg>',
    ],
)
def test_svg_with_script_or_event_handler_is_rejected(tmp_path, svg):
    errors = _errors(tmp_path, "svg.h5p", h5p_package({"content/images/logo.svg": svg}))
    assert any("content/images/logo.svg" in e and "script or event handler" in e for e in errors), errors


def test_clean_svg_is_accepted(tmp_path):
    svg = '<svg xmlns="http://www.w3.org/2000/svg"><circle r="4" fill="red"/></svg>'
    assert inspect_package(_write(tmp_path, "ok.h5p", h5p_package({"content/images/logo.svg": svg}))).ok


def test_missing_dependency_of_a_bundled_library_is_rejected(tmp_path):
    libraries = greeting_library(deps=[("H5P.JoubelUI", 1, 3)])
    errors = _errors(tmp_path, "dep.h5p", h5p_package(libraries=libraries))
    assert any("H5P.JoubelUI 1.3" in e and "H5P.Greeting-1.0" in e for e in errors), errors


def test_missing_dependency_is_fine_when_stored(tmp_path):
    libraries = greeting_library(deps=[("H5P.JoubelUI", 1, 3)])
    path = _write(tmp_path, "dep.h5p", h5p_package(libraries=libraries))
    assert inspect_package(path, stored_libraries=frozenset({"H5P.JoubelUI-1.3"})).ok


def test_content_against_semantics(tmp_path):
    errors = _errors(tmp_path, "sem.h5p", h5p_package(content={"greeting": 42}))
    assert any("$.greeting" in e and "expected a string" in e for e in errors), errors


def test_media_missing_from_package(tmp_path):
    content = {"greeting": "x", "image": {"path": "images/cat.png", "mime": "image/png"}}
    errors = _errors(tmp_path, "media.h5p", h5p_package(content=content))
    assert any("image" in e and "not packaged" in e for e in errors), errors


def test_h5p_zipped_inside_a_folder(tmp_path):
    inner = zipfile.ZipFile(io.BytesIO(h5p_package()))
    members = {f"greeting/{n}": inner.read(n) for n in inner.namelist()}
    from tests.library.packages import zip_bytes

    errors = _errors(tmp_path, "folder.h5p", zip_bytes(members))
    assert any("“greeting”" in e for e in errors), errors


def test_scorm_launch_page_missing(tmp_path):
    errors = _errors(
        tmp_path, "s.zip", scorm_package(manifest=SCORM12_MANIFEST.replace('href="index.html">', 'href="start.html">'))
    )
    assert any("start.html" in e and "not in the package" in e for e in errors)


def test_scorm_manifest_with_entities_is_rejected(tmp_path):
    manifest = '<?xml version="1.0"?><!DOCTYPE m [<!ENTITY a "aaaa">]>' + SCORM12_MANIFEST.split("?>", 1)[1]
    errors = _errors(tmp_path, "s.zip", scorm_package(manifest=manifest))
    assert any("entities" in e for e in errors)


def test_scorm_2004_4th_edition_and_2nd_edition(tmp_path):
    for edition in ("2004 4th Edition", "CAM 1.3"):
        manifest = (
            SCORM12_MANIFEST.replace("imscp_rootv1p1p2", "imscp_v1p1")
            .replace("adlcp_rootv1p2", "adlcp_v1p3")
            .replace("scormtype", "scormType")
            .replace("<schemaversion>1.2", f"<schemaversion>{edition}")
        )
        report = inspect_package(_write(tmp_path, "s.zip", scorm_package(manifest=manifest)))
        assert report.ok and report.version == "2004" and report.launch == "index.html", report.errors


def test_scorm_traversal_and_executable_rejected(tmp_path):
    errors = _errors(tmp_path, "s.zip", scorm_package({"../x.html": "x", "tools/setup.exe": "MZ"}))
    assert any("../x.html" in e for e in errors) and any("setup.exe" in e for e in errors)


def test_document_checks(tmp_path):
    assert inspect_package(_write(tmp_path, "bai-giang.pdf", b"%PDF-1.7\n...")).ok
    errors = _errors(tmp_path, "virus.pdf", b"MZ\x90\x00")
    assert any("virus.pdf" in e and "not really a .pdf" in e for e in errors)
    errors = _errors(tmp_path, "tool.exe", b"MZ")
    assert any(".exe" in e for e in errors)


def _run(path):
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("inspect_package", str(path), "--json", stdout=out, stderr=err)
        code = 0
    except SystemExit as exc:
        code = exc.code
    return code, json.loads(out.getvalue())


def test_command_prints_the_json_object_and_exit_codes():
    code, data = _run(SCORM_DIR / "RuntimeBasicCalls_SCORM12.zip")
    assert code == 0
    assert set(data) == {"kind", "ok", "title", "version", "launch", "scos", "libraries", "errors"}
    assert data["kind"] == "scorm" and data["ok"] is True and data["version"] == "1.2"
    assert data["scos"] == [{"identifier": "item_1", "title": "Golf Explained", "href": "shared/launchpage.html"}]
    code, data = _run(H5P_DIR / "H5P.MultiChoice.h5p")
    assert code == 0 and data["launch"] == "H5P.MultiChoice-1.14" and "H5P.Question-1.4" in data["libraries"]
    code, data = _run(H5P_DIR / "negative" / "corrupt_archive.h5p")
    assert code == 1 and data["ok"] is False and data["errors"]


def test_command_saves_nothing():
    from lms.library.models import H5PLibrary, LibraryItem

    _run(H5P_DIR / "H5P.MultiChoice.h5p")
    assert not LibraryItem.objects.exists() and not H5PLibrary.objects.exists()


def test_media_by_address_is_a_warning_not_an_error(tmp_path):
    content = {"greeting": "x", "image": {"path": "https://example.org/cat.png", "mime": "image/png"}}
    report = inspect_package(_write(tmp_path, "url.h5p", h5p_package(content=content)))
    assert report.ok, report.errors
    assert any("another site" in w for w in report.warnings) or any("trang khác" in w for w in report.warnings)
