"""CSS selections over a parsed page without an XPath walk of the whole tree for every selector.

libxml2 answers a CSS selector (translated to XPath) by visiting every element under the context:
0.1-0.2 ms on a 500-element page, and cleaning one page asks dozens of them. ``PageIndex`` reads the
page's attributes in one walk and answers a selector from its candidates (the elements with the
selector's id, class word or attribute, lxml's own tag iterator for a bare tag, or every element of
a small context), checked right to left in Python. Results are those of
``lxml.cssselect.CSSSelector``, in document order; selectors this module does not compile
(pseudo-classes, sibling combinators, namespaces, case flags) are answered by it.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import count
from operator import itemgetter

import cssselect
from cssselect.parser import Attrib, Class, CombinedSelector, Element, Hash
from lxml import etree
from lxml.cssselect import CSSSelector
from lxml.html import HtmlElement

# XPath's normalize-space, which the class test of CSSSelector uses, splits at these four only.
_XML_SPACE = re.compile(r"[ \t\r\n]+")
_OTHER_SPACE = re.compile(r"[^\S \t\r\n]")
# A context whose subtree spans at most this many elements is searched element by element.
_SMALL_CONTEXT = 48
_SAFE_NAME = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_.-]*$")
_ITEMS = etree._Element.items


@lru_cache(maxsize=4096)     # pages repeat the same few class attributes on many elements
def class_words(value: str) -> frozenset[str]:
    """The words of a class attribute, as CSS class selectors see them."""
    if _OTHER_SPACE.search(value):
        return frozenset(word for word in _XML_SPACE.split(value) if word)
    return frozenset(value.split())


def _value_test(operator: str, expected: str) -> Callable[[str], bool] | None:
    """A test of an attribute's value for one CSS attribute operator, or None when not compiled."""
    if operator == "exists":
        return lambda value: True
    if operator == "=":
        return lambda value: value == expected
    if not expected:
        return (lambda value: False) if operator in ("^=", "$=", "*=", "~=") else None
    if operator == "^=":
        return lambda value: value.startswith(expected)
    if operator == "$=":
        return lambda value: value.endswith(expected)
    if operator == "*=":
        return lambda value: expected in value
    if operator == "~=" and not _XML_SPACE.search(expected) and "\f" not in expected:
        return lambda value: expected in class_words(value)
    return None


@dataclass(frozen=True)
class _Compound:
    """One compound selector (``a.down[href$=".pdf"]``): tag, ids, class words, attribute tests."""

    tag: str | None
    ids: tuple[str, ...]
    classes: tuple[str, ...]
    attributes: tuple[tuple[str, Callable[[str], bool]], ...]   # (name, test of the value)
    # For each attribute test, a string every value it accepts contains ("" when there is none to look for).
    needles: tuple[str, ...] = ()

    @property
    def decided_by_index(self) -> bool:
        """The index's list for the compound's one id, class word or attribute test holds exactly its matches."""
        return self.tag is None and len(self.ids) + len(self.classes) + len(self.attributes) == 1

    @property
    def test_is_trivial(self) -> bool:
        """Only a tag name, which lxml's tag iterator has already tested."""
        return not (self.ids or self.classes or self.attributes)

    def test(self, element: HtmlElement) -> bool:
        if self.tag is not None and element.tag != self.tag:
            return False
        for element_id in self.ids:
            if element.get("id") != element_id:
                return False
        if self.classes:
            value = element.get("class")
            if value is None or not class_words(value).issuperset(self.classes):
                return False
        for name, test in self.attributes:
            value = element.get(name)
            if value is None or not test(value):
                return False
        return True


def _compound(tree: object) -> _Compound | None:
    tag = None
    ids: list[str] = []
    classes: list[str] = []
    attributes: list[tuple[str, Callable[[str], bool]]] = []
    needles: list[str] = []
    while not isinstance(tree, Element):
        if isinstance(tree, Class):
            if not tree.class_name or _XML_SPACE.search(tree.class_name) or "\f" in tree.class_name:
                return None
            classes.append(tree.class_name)
        elif isinstance(tree, Hash):
            ids.append(tree.id)
        elif isinstance(tree, Attrib):
            if tree.namespace is not None or tree.flag is not None or not _SAFE_NAME.match(tree.attrib):
                return None
            expected = tree.value.value if tree.value is not None else ""
            test = _value_test(tree.operator, expected)
            if test is None:
                return None
            attributes.append((tree.attrib, test))
            needles.append("" if tree.operator == "exists" else expected)
        else:
            return None
        tree = tree.selector
    if tree.namespace is not None:
        return None
    if tree.element and tree.element != "*":
        if not _SAFE_NAME.match(tree.element):
            return None
        tag = tree.element
    return _Compound(
        tag, tuple(ids), tuple(reversed(classes)), tuple(reversed(attributes)), tuple(reversed(needles)),
    )


@dataclass(frozen=True)
class _Part:
    """One selector of a comma-separated list: compounds from the right, joined by ' ' or '>'."""

    compounds: tuple[_Compound, ...]
    combinators: tuple[str, ...]     # combinators[i] joins compounds[i] to compounds[i + 1] on its left
    # Worked out once: selections ask them of every part.
    subject: _Compound = field(init=False)
    decided_by_index: bool = field(init=False)
    descendants_only: bool = field(init=False)      # no '>' among the combinators

    def __post_init__(self) -> None:
        object.__setattr__(self, "subject", self.compounds[0])
        object.__setattr__(self, "decided_by_index", len(self.compounds) == 1 and self.subject.decided_by_index)
        object.__setattr__(self, "descendants_only", ">" not in self.combinators)

    def matches(self, element: HtmlElement, ancestors: Sequence[HtmlElement]) -> bool:
        """``ancestors``: the element's ancestors from its parent up to the context element included."""
        return self.subject.test(element) and self.left_matches(ancestors)

    def left_matches(self, ancestors: Sequence[HtmlElement]) -> bool:
        """Whether the compounds left of the subject match among the subject's ancestors."""
        if not self.descendants_only:
            return self._left_matches(1, ancestors, 0)
        # Descendant combinators only: each compound may take the nearest ancestor that matches it, as a farther
        # one leaves the compounds further left fewer ancestors to match.
        position, count = 0, len(ancestors)
        for compound in self.compounds[1:]:
            while position < count and not compound.test(ancestors[position]):
                position += 1
            if position == count:
                return False
            position += 1
        return True

    def _left_matches(self, index: int, ancestors: Sequence[HtmlElement], start: int) -> bool:
        if index == len(self.compounds):
            return True
        compound, combinator = self.compounds[index], self.combinators[index - 1]
        if combinator == ">":
            return start < len(ancestors) and compound.test(ancestors[start]) and self._left_matches(
                index + 1, ancestors, start + 1)
        return any(
            compound.test(ancestors[position]) and self._left_matches(index + 1, ancestors, position + 1)
            for position in range(start, len(ancestors))
        )


def _part(tree: object) -> _Part | None:
    compounds: list[_Compound] = []
    combinators: list[str] = []
    while isinstance(tree, CombinedSelector):
        if tree.combinator not in (" ", ">"):
            return None
        right = _compound(tree.subselector)
        if right is None:
            return None
        compounds.append(right)
        combinators.append(tree.combinator)
        tree = tree.selector
    leftmost = _compound(tree)
    if leftmost is None:
        return None
    compounds.append(leftmost)
    return _Part(tuple(compounds), tuple(combinators))


@dataclass(frozen=True)
class Selector:
    """A comma-separated CSS selector list, compiled once."""

    css: str
    xpath: CSSSelector
    compiled: bool                  # False: answered by XPath alone
    tags: tuple[str, ...] = ()      # parts that are a bare tag name, answered by one lxml tag iteration
    parts: tuple[_Part, ...] = ()   # the other parts

    def matches(self, element: HtmlElement, context: HtmlElement | None = None) -> bool:
        """Whether ``element`` would be among the selector's results within ``context`` (default: its tree)."""
        if not self.compiled:
            return element in self.xpath(context if context is not None else element.getroottree().getroot())
        subjects = [part for part in self.parts if part.subject.test(element)]
        if element.tag not in self.tags and not subjects:
            return False     # decided without walking up the tree
        ancestors = _ancestors_within(element, context)
        if ancestors is None:
            return False
        return element.tag in self.tags or any(part.left_matches(ancestors) for part in subjects)


@lru_cache(maxsize=1024)
def compile_selector(css: str) -> Selector:
    """The profiles keep selectors as CSS strings; each is parsed and compiled on first use."""
    xpath = CSSSelector(css)
    try:
        parsed = cssselect.parse(css)
    except cssselect.SelectorError:
        return Selector(css, xpath, compiled=False)
    parts = [None if selector.pseudo_element else _part(selector.parsed_tree) for selector in parsed]
    if None in parts:
        return Selector(css, xpath, compiled=False)
    bare = [p for p in parts if len(p.compounds) == 1 and p.subject.tag is not None and p.subject.test_is_trivial]
    return Selector(
        css, xpath, compiled=True,
        tags=tuple(dict.fromkeys(p.subject.tag for p in bare)),
        parts=tuple(p for p in parts if p not in bare),
    )


def _ancestors_within(element: HtmlElement, context: HtmlElement | None) -> list[HtmlElement] | None:
    """The element's ancestors up to ``context`` included (all of them without a context); None when
    the element is not ``context`` nor below it."""
    ancestors: list[HtmlElement] = []
    if element is context:
        return ancestors
    for ancestor in element.iterancestors():
        ancestors.append(ancestor)
        if ancestor is context:
            return ancestors
    return ancestors if context is None else None


class PageIndex:
    """The elements of a page by id, class word and attribute, read once, for ``select``.

    The page may lose elements after the index is taken (removed ones are no longer below the
    element selected within, so they are not returned) but must not gain elements, nor change
    attributes of the elements it keeps other than as ``attributes_changed`` is told.
    """

    def __init__(self, root: HtmlElement):
        self.root = root
        elements = list(root.iter(etree.Element))
        # Built by C-level iteration: no Python step per element.
        self._position: dict[HtmlElement, int] = dict(zip(elements, count()))
        # The elements with a class or id attribute by their (class, id) values, "" for the one missing, in
        # document order: a page repeats few such pairs, so what depends on them is worked out once a pair.
        self.by_class_and_id: dict[tuple[str, str], list[HtmlElement]] = {}
        self._with_attribute: dict[str, list[tuple[HtmlElement, str]]] = {}
        self._by_class: dict[str, list[HtmlElement]] | None = None         # taken on first use
        self._by_id: dict[str, list[HtmlElement]] | None = None            # taken on first use
        self._joined_values: dict[str, str] = {}                            # taken on first use, by name
        # One walk in Python reads every attribute: cheaper than one XPath walk per attribute name.
        with_attribute, by_class_and_id = self._with_attribute, self.by_class_and_id
        for element, attributes in zip(elements, map(_ITEMS, elements), strict=True):
            if not attributes:
                continue
            classes = element_id = None
            for name, value in attributes:
                pairs = with_attribute.get(name)
                if pairs is None:
                    with_attribute[name] = [(element, value)]
                else:
                    pairs.append((element, value))
                if name == "class":
                    classes = value
                elif name == "id":
                    element_id = value
            if classes is None and element_id is None:
                continue
            key = (classes or "", element_id or "")
            group = by_class_and_id.get(key)
            if group is None:
                by_class_and_id[key] = [element]
            else:
                group.append(element)

    @property
    def by_class(self) -> dict[str, list[HtmlElement]]:
        """Elements by each word of their class attribute, in document order."""
        if self._by_class is None:
            self._by_class = self._grouped(
                (word, elements) for (classes, _), elements in self.by_class_and_id.items() if classes
                for word in class_words(classes)
            )
        return self._by_class

    @property
    def by_id(self) -> dict[str, list[HtmlElement]]:
        """Elements by their id attribute, in document order."""
        if self._by_id is None:
            self._by_id = self._grouped(
                (element_id, elements) for (_, element_id), elements in self.by_class_and_id.items() if element_id
            )
        return self._by_id

    def _grouped(self, pairs: Iterable[tuple[str, list[HtmlElement]]]) -> dict[str, list[HtmlElement]]:
        """One list per key of the elements of its groups, in document order."""
        grouped: dict[str, list[HtmlElement]] = {}
        merged = set()
        for key, elements in pairs:
            found = grouped.get(key)
            if found is None:
                # Shared with by_class_and_id, whose lists change only in attributes_changed, which drops this.
                grouped[key] = elements
            else:
                grouped[key] = found + elements
                merged.add(key)
        position = self._position.__getitem__
        for key in merged:
            grouped[key].sort(key=position)
        return grouped

    def attributes_changed(self, element: HtmlElement, before: list[tuple[str, str]]) -> None:
        """Follow a change of an indexed element's attributes; ``before``: its ``items()`` as indexed."""
        for name, value in before:
            self._with_attribute[name].remove((element, value))
        attributes = dict(before)
        if "class" in attributes or "id" in attributes:
            key = (attributes.get("class") or "", attributes.get("id") or "")
            self.by_class_and_id[key].remove(element)
            if not self.by_class_and_id[key]:
                del self.by_class_and_id[key]
        position = self._position.__getitem__
        at = position(element)
        for name, value in element.items():
            pairs = self._with_attribute.setdefault(name, [])
            pairs.insert(bisect_left(pairs, at, key=lambda pair: position(pair[0])), (element, value))
        if element.get("class") is not None or element.get("id") is not None:
            group = self.by_class_and_id.setdefault((element.get("class") or "", element.get("id") or ""), [])
            group.insert(bisect_left(group, at, key=position), element)
        self._by_class = self._by_id = None
        self._joined_values.clear()

    def with_attribute(self, name: str) -> list[tuple[HtmlElement, str]]:
        """(element, value) of the elements that had the attribute when the index was taken (or as
        ``attributes_changed`` told since), in document order."""
        return self._with_attribute.get(name, [])

    def _all_values(self, name: str) -> str:
        """The values of the attribute on the page, joined by NULs (no value holds one): each search of them
        is a single pass."""
        joined = self._joined_values.get(name)
        if joined is None:
            joined = self._joined_values[name] = "\x00".join(map(itemgetter(1), self.with_attribute(name)))
        return joined

    def with_value(self, name: str, value: str) -> list[HtmlElement]:
        """The elements whose attribute had that value when the index was taken, in document order."""
        return self._containing(name, value, value.__eq__)

    def _containing(self, name: str, needle: str, test: Callable[[str], bool]) -> list[HtmlElement]:
        """The elements whose value of the attribute contains the needle and passes the test: only the values
        a search of them all finds the needle in are tested (a page has hundreds of links, a few to PDFs)."""
        joined, pairs = self._all_values(name), self.with_attribute(name)
        found: list[HtmlElement] = []
        if not pairs:
            return found
        value_index, counted_to = 0, 0
        at = joined.find(needle)
        while at != -1:
            value_index += joined.count("\x00", counted_to, at)
            element, value = pairs[value_index]
            if test(value):
                found.append(element)
            following = joined.find("\x00", at + len(needle))
            if following == -1:
                break
            counted_to = following + 1
            value_index += 1
            at = joined.find(needle, counted_to)
        return found

    def in_document_order(self, elements: Iterable[HtmlElement]) -> list[HtmlElement]:
        """The elements sorted by their place on the page, once each; all must be on the indexed page."""
        return sorted(dict.fromkeys(elements), key=self._position.__getitem__)

    def select(self, css: str, within: HtmlElement | None = None) -> list[HtmlElement]:
        """Elements matching the selector at or below ``within`` (default: the page), in document order."""
        context = within if within is not None else self.root
        selector = compile_selector(css)
        if not selector.compiled or context not in self._position:
            return selector.xpath(context)     # not compiled, or a context that was not on the indexed page
        if not selector.parts:
            return list(context.iter(*selector.tags))
        scope = _Scope(self._position, context)
        if not selector.tags and len(selector.parts) == 1:
            return self._select_part(selector.parts[0], scope)
        found = [list(context.iter(*selector.tags))] if selector.tags else []
        found += [self._select_part(part, scope) for part in selector.parts]
        found = [elements for elements in found if elements]
        if len(found) <= 1:
            return found[0] if found else []
        return self._in_document_order(found, selector, context)

    def select_any(self, selectors: Iterable[str], within: HtmlElement | None = None) -> list[HtmlElement]:
        selectors = tuple(selectors)
        return self.select(", ".join(selectors), within) if selectors else []

    def any_selected(self, selectors: Iterable[str], within: HtmlElement | None = None) -> bool:
        """Whether ``select_any`` would find anything; the selectors after the first that does are not tried."""
        selectors = tuple(selectors)
        if not selectors:
            return False
        context = within if within is not None else self.root
        selector = compile_selector(", ".join(selectors))
        if not selector.compiled or context not in self._position:
            return bool(selector.xpath(context))
        if selector.tags and next(context.iter(*selector.tags), None) is not None:
            return True
        scope = _Scope(self._position, context)
        return any(self._select_part(part, scope) for part in selector.parts)

    def select_first(self, css: str, within: HtmlElement | None = None) -> HtmlElement | None:
        found = self.select(css, within)
        return found[0] if found else None

    def _indexed(self, compound: _Compound) -> list[HtmlElement] | None:
        """The index's elements that may match the compound, or None when it has no id, class or attribute."""
        if compound.ids:
            return self.by_id.get(compound.ids[0], [])
        if compound.classes:
            return self.by_class.get(compound.classes[0], [])
        if compound.attributes:
            name, test = compound.attributes[0]
            needle = compound.needles[0]
            if needle and "\x00" not in needle:
                return self._containing(name, needle, test)
            return [element for element, value in self.with_attribute(name) if test(value)]
        return None

    def _candidates(self, part: _Part, scope: _Scope) -> tuple[Iterable[HtmlElement], bool]:
        """Elements that may match the part, in document order, and whether they still have to be found
        below the context (index entries in its span of the page may have been removed since)."""
        subject = part.subject
        tag = subject.tag if subject.tag is not None else etree.Element
        if scope.small:
            return scope.context.iter(tag), False
        indexed = self._indexed(subject)
        if indexed is not None:
            return scope.narrow(indexed), True
        for compound in part.compounds[1:]:
            anchors = self._indexed(compound)
            if anchors is not None:      # ".footnotes li": the li below each .footnotes, not every li
                return self._below(scope.narrow(anchors), scope, tag), False
        return scope.context.iter(tag), False

    @staticmethod
    def _below(anchors: Iterable[HtmlElement], scope: _Scope, tag: object) -> list[HtmlElement]:
        """Elements with the tag strictly below those anchors that lie within the context, in document
        order and once each (an anchor inside another adds nothing)."""
        found: list[HtmlElement] = []
        taken: set[HtmlElement] = set()
        for anchor in anchors:
            ancestors = scope.ancestors(anchor)
            if ancestors is None or taken.intersection(ancestors):
                continue
            taken.add(anchor)
            found.extend(element for element in anchor.iter(tag) if element is not anchor)
        return found

    def _select_part(self, part: _Part, scope: _Scope) -> list[HtmlElement]:
        candidates, check_scope = self._candidates(part, scope)
        if isinstance(candidates, list) and not candidates:
            return []
        test = part.subject.test
        if len(part.compounds) == 1:
            if not check_scope:
                return [element for element in candidates if test(element)]
            if part.decided_by_index:
                return [element for element in candidates if scope.holds(element)]
            return [element for element in candidates if test(element) and scope.holds(element)]
        found = []
        for element in candidates:
            if test(element):
                ancestors = scope.ancestors(element)
                if ancestors is not None and part.left_matches(ancestors):
                    found.append(element)
        return found

    def _in_document_order(
        self, found: list[list[HtmlElement]], selector: Selector, context: HtmlElement
    ) -> list[HtmlElement]:
        try:
            return self.in_document_order(element for elements in found for element in elements)
        except KeyError:
            return selector.xpath(context)     # the page gained elements after all


class _Scope:
    """The context of one selection: its span of the page (by index position) and the answers already
    found to "is this element below it?" (the page does not change during one selection)."""

    def __init__(self, position: dict[HtmlElement, int], context: HtmlElement):
        self.context = context
        self._position = position
        self._start = position[context]
        self._end = self._span_end()
        # Few enough elements that testing each beats looking candidates up (the span bounds the subtree).
        self.small = self._end - self._start <= _SMALL_CONTEXT
        self._known: dict[HtmlElement, bool] = {}

    def _span_end(self) -> int:
        """The index position of the first element after the context's subtree, as the page is now."""
        node = self.context
        while node is not None:
            following = node.getnext()
            while following is not None:
                if following in self._position:
                    return self._position[following]
                following = following.getnext()
            node = node.getparent()
        return len(self._position)

    def narrow(self, candidates: list[HtmlElement]) -> list[HtmlElement]:
        """The candidates (in page order) whose index position lies in the context's span: all that can be
        below it, along with elements removed from there since (the list itself when that is all of it)."""
        if not candidates or (self._start == 0 and self._end == len(self._position)):
            return candidates
        key = self._position.__getitem__
        return candidates[bisect_left(candidates, self._start, key=key): bisect_left(candidates, self._end, key=key)]

    def holds(self, element: HtmlElement) -> bool:
        """Whether the element is the context or below it."""
        passed = []
        node, within = element, False
        while node is not None:
            if node is self.context:
                within = True
                break
            if node in self._known:
                within = self._known[node]
                break
            if self._position.get(node, self._start) < self._start:     # above the context
                break
            passed.append(node)
            node = node.getparent()
        for node in passed:
            self._known[node] = within
        return within

    def ancestors(self, element: HtmlElement) -> list[HtmlElement] | None:
        """The element's ancestors up to the context included, or None when it is not below the context."""
        if element is self.context:
            return []
        ancestors: list[HtmlElement] = []
        for ancestor in element.iterancestors():
            ancestors.append(ancestor)
            if ancestor is self.context:
                return ancestors
            if self._position.get(ancestor, self._start) < self._start:
                return None
        return None
