"""StreamField blocks of a lesson page."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.blocks.struct_block import StructBlockValidationError
from wagtail.contrib.table_block.blocks import TableBlock
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.embeds.blocks import EmbedBlock
from wagtail.images.blocks import ImageChooserBlock

from content.learning_objects import Kind, get_provider
from content.math import MathBlock

RICH_TEXT_FEATURES = [
    "bold",
    "italic",
    "superscript",
    "subscript",
    "strikethrough",
    "ol",
    "ul",
    "link",
    "document-link",
    "blockquote",
]


class HeadingBlock(blocks.StructBlock):
    text = blocks.CharBlock(label=_("Heading"), max_length=200)
    level = blocks.ChoiceBlock(label=_("Level"), choices=[("h2", _("Section")), ("h3", _("Subsection"))], default="h2")

    class Meta:
        icon = "title"
        label = _("Heading")
        template = "content/blocks/heading.html"


class ImageBlock(blocks.StructBlock):
    image = ImageChooserBlock(label=_("Image"))
    alt = blocks.CharBlock(
        label=_("Description for screen readers"),
        max_length=250,
        required=False,
        help_text=_("What the image shows, for pupils who cannot see it. Leave empty if it is decoration."),
    )
    caption = blocks.CharBlock(label=_("Caption"), max_length=250, required=False)

    class Meta:
        icon = "image"
        label = _("Image")
        template = "content/blocks/image.html"


class VideoBlock(blocks.StructBlock):
    """A video uploaded to the school's storage (as a document) or embedded from YouTube/Vimeo."""

    video_file = DocumentChooserBlock(
        label=_("Video file"), required=False, help_text=_("An MP4 or WebM file uploaded to the document library.")
    )
    embed = EmbedBlock(label=_("Video link"), required=False, help_text=_("A YouTube or Vimeo address."))
    caption = blocks.CharBlock(label=_("Caption"), max_length=250, required=False)

    VIDEO_EXTENSIONS = ("mp4", "webm", "ogv", "m4v")

    class Meta:
        icon = "media"
        label = _("Video")
        template = "content/blocks/video.html"

    def clean(self, value):
        value = super().clean(value)
        has_file, has_embed = bool(value.get("video_file")), bool(value.get("embed"))
        if has_file == has_embed:
            raise StructBlockValidationError(
                block_errors={"video_file": ValidationError(_("Choose a video file or give a video link, not both."))}
            )
        if has_file and value["video_file"].file_extension.lower() not in self.VIDEO_EXTENSIONS:
            raise StructBlockValidationError(
                block_errors={
                    "video_file": ValidationError(
                        _("This file is not a video the browser can play (use %(formats)s).")
                        % {"formats": ", ".join(self.VIDEO_EXTENSIONS)}
                    )
                }
            )
        return value


class DocumentBlock(blocks.StructBlock):
    document = DocumentChooserBlock(label=_("Document"))
    title = blocks.CharBlock(label=_("Title shown"), max_length=200, required=False)

    class Meta:
        icon = "doc-full"
        label = _("Document")
        template = "content/blocks/document.html"


class CalloutBlock(blocks.StructBlock):
    kind = blocks.ChoiceBlock(
        label=_("Kind"),
        choices=[
            ("note", _("Note")),
            ("definition", _("Definition")),
            ("theorem", _("Theorem")),
            ("example", _("Example")),
            ("tip", _("Tip")),
            ("warning", _("Watch out")),
        ],
        default="note",
    )
    title = blocks.CharBlock(label=_("Title"), max_length=200, required=False)
    text = blocks.RichTextBlock(label=_("Text"), features=RICH_TEXT_FEATURES)

    class Meta:
        icon = "help"
        label = _("Callout")
        template = "content/blocks/callout.html"


class LearningObjectReferenceBlock(blocks.FieldBlock):
    """The reference (UUID) of an item of ``kind``, edited with the widget the kind's provider gives (a chooser
    modal), or typed when it gives none."""

    def __init__(self, kind: str = "", required=True, help_text=None, **kwargs):
        self.kind = kind
        self.field_options = {"required": required, "help_text": help_text, "max_length": 64}
        super().__init__(**kwargs)

    @cached_property
    def field(self):
        from django import forms

        provider = get_provider(self.kind)
        make_widget = getattr(provider, "chooser_widget", None)
        return forms.CharField(widget=make_widget() if make_widget else None, **self.field_options)

    def get_form_state(self, value):
        widget = self.field.widget
        if hasattr(widget, "get_value_data"):
            return widget.get_value_data(value or None)
        return super().get_form_state(value)

    def to_python(self, value):
        return "" if value is None else str(value)

    def get_prep_value(self, value):
        return "" if value is None else str(value)

    class Meta:
        icon = "link"


class LearningObjectBlock(blocks.StructBlock):
    """An H5P or SCORM item, a library document, or a practice question, owned by another app (see
    ``content.learning_objects``)."""

    reference = LearningObjectReferenceBlock(label=_("Item"))
    title = blocks.CharBlock(label=_("Title shown"), max_length=200, required=False)

    def __init__(self, kind: str, *args, **kwargs):
        self.kind = kind
        super().__init__(*args, **kwargs)
        # child_blocks is a shallow copy of the class's: give this block a reference block of its own kind.
        reference = LearningObjectReferenceBlock(
            kind, label=_("Item"), help_text=_("Choose the item (or paste its identifier).")
        )
        reference.set_name("reference")
        self.child_blocks["reference"] = reference

    def deconstruct(self):
        path, args, kwargs = super().deconstruct()
        return path, (self.kind, *args), kwargs

    def clean(self, value):
        value = super().clean(value)
        provider = get_provider(self.kind)
        if provider is None:
            raise StructBlockValidationError(
                block_errors={
                    "reference": ValidationError(
                        _("This site has no %(kind)s library yet, so this block cannot be used.")
                        % {"kind": self.kind_label}
                    )
                }
            )
        if not value["reference"] or provider.validate(value["reference"]) is None:
            raise StructBlockValidationError(
                block_errors={
                    "reference": ValidationError(
                        _("No %(kind)s item %(reference)s can be embedded (it does not exist or is not approved).")
                        % {"kind": self.kind_label, "reference": value["reference"]}
                    )
                }
            )
        return value

    @cached_property
    def kind_label(self) -> str:
        return {
            Kind.H5P: "H5P",
            Kind.SCORM: "SCORM",
            Kind.DOCUMENT: str(_("library document")),
            Kind.QUESTION: str(_("question")),
        }.get(self.kind, self.kind)

    def render(self, value, context=None):
        provider = get_provider(self.kind)
        request = (context or {}).get("request")
        if provider is None:
            return ""
        # The provider reads this block's own value (e.g. the title shown) as ``context["value"]``.
        return provider.render(value["reference"], request=request, context={**(context or {}), "value": value})

    class Meta:
        icon = "form"
        template = None


class LessonBodyBlock(blocks.StreamBlock):
    heading = HeadingBlock()
    paragraph = blocks.RichTextBlock(label=_("Text"), features=RICH_TEXT_FEATURES, icon="pilcrow")
    formula = MathBlock()
    image = ImageBlock()
    video = VideoBlock()
    document = DocumentBlock()
    callout = CalloutBlock()
    table = TableBlock(label=_("Table"))
    h5p = LearningObjectBlock(Kind.H5P, label=_("H5P activity"), icon="pick")
    scorm = LearningObjectBlock(Kind.SCORM, label=_("SCORM package"), icon="folder-open-inverse")
    library_document = LearningObjectBlock(Kind.DOCUMENT, label=_("Library document or media"), icon="doc-full")
    practice_question = LearningObjectBlock(Kind.QUESTION, label=_("Practice question"), icon="help")
