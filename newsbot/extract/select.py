"""CSS selectors matched with lxml's C-level tag iteration instead of XPath.

Why: lxml.cssselect turns ``div.article__text`` into an XPath that tests
``contains(concat(' ', normalize-space(@class), ' '), ' article__text ')`` on every element in scope;
evaluating a dozen of those per page cost more than the rest of the extraction. Here a selector walks
``scope.iter(tag)`` (the tag filter runs in C) and tests the few candidates in Python.

Same results as ``CSSSelector(css, translator="html")``, element for element and in document order
(``tests/test_extract_select.py`` checks every selector of :mod:`newsbot.extract.rules` against it on
every fixture page). Only the subset the rules use is supported -- compounds of a tag, ``.class``,
``#id`` and ``[attr]``, joined by descendant or ``>`` combinators, in comma groups; anything else is
compiled by lxml.cssselect as before.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Protocol

from lxml.cssselect import CSSSelector

if TYPE_CHECKING:
    from collections.abc import Iterable

    from lxml.etree import _Element as HtmlElement

_NAME = r"[A-Za-z_][A-Za-z0-9_-]*"
_COMPOUND = re.compile(rf"(?P<tag>{_NAME}|\*)?(?P<rest>(?:[.#]{_NAME}|\[{_NAME}\])*)$")
_PART = re.compile(rf"([.#\[])({_NAME})\]?")
#: XPath's normalize-space() splits on XML whitespace only (not NBSP and the other Unicode spaces).
_XML_SPACE = str.maketrans("\t\n\r", "   ")


class Selector(Protocol):
    def __call__(self, scope: HtmlElement) -> list[HtmlElement]: ...


def class_tokens(value: str) -> list[str]:
    """The class tokens XPath's ``normalize-space(@class)`` yields."""
    return value.translate(_XML_SPACE).split(" ")  # not split(): NBSP is no separator for XPath (empty tokens match nothing)


Predicate = Callable[["HtmlElement"], bool]


@dataclass(frozen=True)
class _Compound:
    tag: str | None  # None: any element
    classes: tuple[str, ...]
    ids: tuple[str, ...]
    attrs: tuple[str, ...]

    def predicate(self, check_tag: bool = True) -> Predicate:
        """A closure specialised to this compound (the common shapes cost one or two attribute reads)."""
        tag = self.tag if check_tag else None
        classes, ids, attrs = self.classes, self.ids, self.attrs

        if len(classes) == 1:
            (cls,) = classes

            def has_classes(el: HtmlElement) -> bool:
                value = el.get("class")
                return bool(value) and cls in value and cls in class_tokens(value)  # substring pre-check first

        else:

            def has_classes(el: HtmlElement) -> bool:
                value = el.get("class")
                if not value or not all(c in value for c in classes):  # substring pre-check, as cssselect's XPath does
                    return False
                tokens = class_tokens(value)
                return all(c in tokens for c in classes)

        checks: list[Predicate] = []
        if tag is not None:
            checks.append(lambda el: el.tag == tag)
        if classes:
            checks.append(has_classes)
        checks.extend((lambda el, i=i: el.get("id") == i) for i in ids)
        checks.extend((lambda el, a=a: el.get(a) is not None) for a in attrs)
        if not checks:
            return lambda el: True
        if len(checks) == 1:
            return checks[0]
        if len(checks) == 2:
            one, two = checks
            return lambda el: one(el) and two(el)
        return lambda el: all(check(el) for check in checks)


@dataclass(frozen=True)
class _Chain:
    """One comma group: compounds left to right, ``combinators[k]`` joins compound k and k + 1."""

    compounds: tuple[_Compound, ...]
    combinators: tuple[str, ...]  # " " (descendant) or ">" (child)

    def matcher(self, check_tag: bool) -> Callable[[HtmlElement, HtmlElement], bool]:
        """``match(el, scope)``: whether the group matches ``el`` with every compound inside ``scope``."""
        last = self.compounds[-1].predicate(check_tag)
        if len(self.compounds) == 1:
            return lambda el, scope: last(el)
        lefts = [c.predicate() for c in self.compounds[:-1]]
        combinators = self.combinators

        def left(el: HtmlElement, k: int, scope: HtmlElement) -> bool:
            """Whether compounds 0..k-1 match ancestors of ``el`` (compound k matched ``el``) inside ``scope``."""
            if k == 0:
                return True
            if el is scope:  # the leftmost compound must be the scope or below it
                return False
            pred = lefts[k - 1]
            parent = el.getparent()
            if combinators[k - 1] == ">":
                return parent is not None and pred(parent) and left(parent, k - 1, scope)
            while parent is not None:
                if pred(parent) and left(parent, k - 1, scope):
                    return True
                if parent is scope:
                    return False
                parent = parent.getparent()
            return False

        n = len(self.compounds) - 1
        return lambda el, scope: last(el) and left(el, n, scope)


class FastSelector:
    """A compiled selector group: ``sel(scope)`` lists the matches, ``sel.first(scope)`` gives the first.

    How it evaluates, from timings on the site's pages: ``first`` walks the tag-filtered iteration and
    stops at the first match (the heading, lead and date sit early in the article); a list of matches is
    walked too when every group is a single compound or the scope is the whole page (the C tag filter
    leaves a handful of candidates among a thousand nodes), and comes from lxml.cssselect's XPath for
    groups with combinators inside an element (libxml2 steps down from the left faster than Python
    checks each candidate's ancestors).
    """

    def __init__(self, css: str, chains: tuple[_Chain, ...]) -> None:
        self.css = css
        self.chains = chains
        self.xpath = CSSSelector(css, translator="html")
        tags = {chain.compounds[-1].tag for chain in chains}
        #: tags to iterate (None: every element); the tag test is left out when the iteration already made it
        self.tags: tuple[str, ...] | None = None if None in tags else tuple(sorted(tags))  # type: ignore[arg-type]
        self.single = all(len(chain.compounds) == 1 for chain in chains)
        check_tag = self.tags is None or len(self.tags) > 1
        matchers = [chain.matcher(check_tag) for chain in chains]
        compounds = [chain.compounds[0] for chain in chains if len(chain.compounds) == 1]
        simple = len(compounds) == len(chains) and all(
            not c.ids and not c.attrs and ((c.tag and not c.classes) or (not c.tag and len(c.classes) == 1)) for c in compounds
        )
        if len(matchers) == 1 and len(chains[0].compounds) == 1:
            pred = chains[0].compounds[0].predicate(check_tag)
            self._match: Callable[[HtmlElement, HtmlElement], bool] = lambda el, scope: pred(el)
        elif len(matchers) == 1:
            self._match = matchers[0]
        elif simple:  # a union of bare tags and bare classes (captions): one set test each
            tag_set = frozenset(c.tag for c in compounds if c.tag)
            class_set = frozenset(c.classes[0] for c in compounds if c.classes)

            def match_simple(el: HtmlElement, scope: HtmlElement) -> bool:
                if el.tag in tag_set:
                    return True
                value = el.get("class")
                return bool(value) and not class_set.isdisjoint(class_tokens(value))

            self._match = match_simple
        else:
            self._match = lambda el, scope: any(m(el, scope) for m in matchers)

    def __repr__(self) -> str:
        return f"FastSelector({self.css!r})"

    def _candidates(self, scope: HtmlElement) -> Iterable[HtmlElement]:
        if self.tags is None:
            return [el for el in scope.iter() if isinstance(el.tag, str)]
        return scope.iter(*self.tags)

    def walk(self, scope: HtmlElement) -> list[HtmlElement]:
        """The matches by tag-filtered iteration (whatever the scope)."""
        match = self._match
        return [el for el in self._candidates(scope) if match(el, scope)]

    def __call__(self, scope: HtmlElement) -> list[HtmlElement]:
        if self.single or scope.getparent() is None:
            return self.walk(scope)
        return self.xpath(scope)  # type: ignore[no-any-return]

    def first(self, scope: HtmlElement) -> HtmlElement | None:
        match = self._match
        for el in self._candidates(scope):
            if match(el, scope):
                return el
        return None


def _compound(text: str) -> _Compound | None:
    m = _COMPOUND.match(text)
    if not m or not text:
        return None
    classes, ids, attrs = [], [], []
    rest = m["rest"]
    for kind, name in _PART.findall(rest):
        {".": classes, "#": ids, "[": attrs}[kind].append(name if kind != "[" else name.lower())
    tag = m["tag"]
    return _Compound(tag=None if tag in (None, "*") else tag.lower(), classes=tuple(classes), ids=tuple(ids), attrs=tuple(attrs))


def _chain(group: str) -> _Chain | None:
    tokens = group.replace(">", " > ").split()
    compounds: list[_Compound] = []
    combinators: list[str] = []
    pending = " "
    for token in tokens:
        if token == ">":
            if not compounds or pending == ">":
                return None
            pending = ">"
            continue
        compound = _compound(token)
        if compound is None:
            return None
        if compounds:
            combinators.append(pending)
        compounds.append(compound)
        pending = " "
    if not compounds or pending == ">":
        return None
    return _Chain(tuple(compounds), tuple(combinators))


def compile_css(css: str) -> FastSelector | CSSSelector:
    """A fast selector when ``css`` is in the supported subset, else lxml's CSSSelector."""
    chains = [_chain(group) for group in css.split(",")]
    if any(chain is None for chain in chains):
        return CSSSelector(css, translator="html")
    return FastSelector(css, tuple(c for c in chains if c is not None))


def first(selector: Selector, scope: HtmlElement) -> HtmlElement | None:
    """The first match in document order (stops early when the selector can)."""
    if isinstance(selector, FastSelector):
        return selector.first(scope)
    found = selector(scope)
    return found[0] if found else None
