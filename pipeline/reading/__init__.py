"""Reading files: a contract file in, its pages' text, word boxes and token-budgeted chunks out.

- PDFs (PyMuPDF): :func:`open_pdf` checks a file is a complete, readable PDF (:class:`PdfInfo`);
  :func:`iter_pages` streams :class:`PageText` one page at a time (reading order, running headers and
  hidden text removed, OCR of scanned pages when Tesseract is installed); :func:`read_pdf` returns all
  of it (:class:`PdfRead`); :func:`join_pages` makes one document text and each page's start offset;
  :func:`layout_in_document` puts a page's word boxes in document offsets; :func:`word_share` and
  :func:`is_gibberish` judge whether a text layer is language. A file that cannot be read raises a
  :class:`PdfReadError` subclass whose ``reason`` is the document's status reason.
- Plain-text contracts: :func:`read_text_file` (UTF-8 or Windows-1252; raises :class:`UndecodableText`).
- Tokens: :class:`Tokenizer` (the protocol), :class:`GGUFTokenizer` (a local model's vocabulary),
  :class:`DefaultTokenizer` (tiktoken ``cl100k_base``), :func:`tokenizer_for` (the one chunk budgets
  are measured with), :func:`default_tokenizer`, :func:`local_model_file`.
- Chunks: :func:`chunk_text` cuts the document text into :class:`ChunkSpan` pieces of at most a budget
  of tokens, between sentences or table rows; :func:`check_budget` checks prompt + chunk + output fit the
  model's context window; :func:`chunk_overlap_ratio` (tokens sent to the model over tokens in the
  document).
- File names shown to a person: :func:`printable` (control characters and other unprintable ones escaped, so
  a name cannot forge an output line).
- Page images for the review UI: :func:`page_png` (a page of a PDF's bytes as PNG, cached on disk under
  :func:`cache_dir_for`; none over :data:`MAX_PAGE_PIXELS`), :func:`draw_highlights` (evidence :class:`Highlight` rectangles by severity),
  :func:`page_count`; errors under :class:`RenderError`.
"""

from pipeline.reading.chunking import (
    BudgetError,
    ChunkingError,
    ChunkLocateError,
    ChunkSizeError,
    ChunkSpan,
    check_budget,
    chunk_overlap_ratio,
    chunk_text,
)
from pipeline.reading.names import printable
from pipeline.reading.pdf import (
    CorruptPdf,
    EmptyDocument,
    EmptyFile,
    EncryptedPdf,
    FileUnreadable,
    NotAPdf,
    OcrLimitReached,
    PageText,
    PdfInfo,
    PdfRead,
    PdfReadError,
    ReadLimits,
    TextTooLarge,
    TooManyPages,
    TruncatedPdf,
    is_gibberish,
    iter_pages,
    join_pages,
    layout_in_document,
    open_pdf,
    read_pdf,
    word_share,
)
from pipeline.reading.render import (
    DEFAULT_ZOOM,
    MAX_PAGE_PIXELS,
    Highlight,
    PageOutOfRange,
    PageTooLarge,
    RenderError,
    SourceUnavailable,
    cache_dir_for,
    draw_highlights,
    page_count,
    page_png,
)
from pipeline.reading.textfile import UndecodableText, read_text_file
from pipeline.reading.tokens import (
    DefaultTokenizer,
    GGUFTokenizer,
    Tokenizer,
    TokenizerError,
    TokenizerLoadError,
    default_tokenizer,
    local_model_file,
    tokenizer_for,
)

__all__ = [
    "BudgetError", "ChunkLocateError", "ChunkSizeError", "ChunkSpan", "ChunkingError", "CorruptPdf", "DEFAULT_ZOOM",
    "DefaultTokenizer", "EmptyDocument", "EmptyFile", "EncryptedPdf", "FileUnreadable", "GGUFTokenizer", "Highlight",
    "MAX_PAGE_PIXELS", "NotAPdf", "OcrLimitReached", "PageOutOfRange", "PageTooLarge", "PageText", "PdfInfo",
    "PdfRead", "PdfReadError", "ReadLimits", "RenderError", "SourceUnavailable", "TextTooLarge", "TooManyPages",
    "Tokenizer", "TokenizerError", "TokenizerLoadError", "TruncatedPdf", "UndecodableText", "cache_dir_for",
    "check_budget", "chunk_overlap_ratio", "chunk_text", "default_tokenizer", "draw_highlights", "is_gibberish",
    "iter_pages", "join_pages", "layout_in_document", "local_model_file", "open_pdf", "page_count", "page_png", "printable",
    "read_pdf", "read_text_file", "tokenizer_for", "word_share",
]
