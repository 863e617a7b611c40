"""The review's printed text with the conversion artefacts of its text file undone:
`<sup>[27]</sup>` is the citation mark [27], `TGF- $\\beta$ 1` is TGF-β1, and a sentence
broken by a page break is joined. Evidence sentences in facts/ quote this text verbatim."""

from __future__ import annotations

import re

GREEK = {r"\alpha": "α", r"\beta": "β", r"\kappa": "κ"}


# Page furniture the text file interleaves with the body: the front matter printed in the
# middle of the first page, and Figure 1's caption.
FURNITURE = [
    re.compile(r"\n收稿日期:.*?URL: <[^>]*>\n", re.S),
    re.compile(r"\n图1 外泌体对骨重塑的调控作用\s*Fig\.1 Effect of exosomes in bone remodelling\n"),
]


def without_furniture(text: str) -> str:
    for pattern in FURNITURE:
        text = pattern.sub("\n", text)
    return text


def normalise(text: str) -> str:
    text = re.sub(r"<sup>(\[[^<]*\])</sup>", r"\1", text)
    text = re.sub(r"\s*\$(\\[a-z]+)\$\s*", lambda m: GREEK[m.group(1)], text)
    return text


def body_without_breaks(text: str) -> str:
    """The text with line breaks and the spaces around them removed, so a sentence that
    crosses a page or paragraph break in the file is found as one string."""
    return re.sub(r"\s*\n\s*", "", normalise(without_furniture(text)))
