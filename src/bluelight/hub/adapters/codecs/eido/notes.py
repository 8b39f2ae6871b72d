"""Notes: plain text <-> the HTML5 that notesActionComments holds."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser
from typing import Any


def text_to_html(text: str) -> str:
    """Plain text -> the HTML5 that notesActionComments holds (escaped; line breaks as
    <br>). html_to_text reverses it exactly."""
    return html.escape(text, quote=False).replace("\n", "<br>\n")


_BR = re.compile(r"<br\s*/?>\n?", re.IGNORECASE)
_TAG = re.compile(r"<[A-Za-z/!?]")


class _TextExtractor(HTMLParser):
    _BLOCKS = {"p", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "table"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag in ("script", "style"):
            self._skip += 1
        elif tag in self._BLOCKS and self.parts and not self.parts[-1].endswith("\n"):
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._skip = max(0, self._skip - 1)
        elif tag in self._BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def html_to_text(markup: str) -> str:
    """notesActionComments (HTML5) -> plain text: tags dropped, entities resolved, <br>
    and block ends as line breaks."""
    text = _BR.sub("\n", markup)
    if not _TAG.search(text):
        return html.unescape(text)
    parser = _TextExtractor()
    parser.feed(text)
    parser.close()
    return re.sub(r"\n{3,}", "\n\n", "".join(parser.parts)).strip()
