"""The UI is Vietnamese throughout: no English string of Flask-AppBuilder or WTForms is left.

The English side is built from the sources, not from our catalogue: every msgid that Babel
extracts from the installed Flask-AppBuilder (Python and Jinja templates, with the same
translations/babel.cfg as translations/update.sh), WTForms' own wtforms.pot, the literal English
text of FAB's templates (text FAB does not wrap in gettext, e.g. a dialog's "Cancel"), and the
labels FAB makes up from column names for columns a view gives no label ("Created On"), and the
Python values FAB prints as they are ("True", "None").
Every role's demo account then opens every page its menu offers, and each page's visible text is
searched for those strings.
"""
from __future__ import annotations

import functools
import html
import os
import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from conftest import DEMO_PASSWORD, csrf_token, login, new_client

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CATALOGUE = os.path.join(ROOT, "translations", "vi", "LC_MESSAGES", "messages.po")
COMPILED = os.path.join(ROOT, "translations", "vi", "LC_MESSAGES", "messages.mo")
BABEL_CFG = os.path.join(ROOT, "translations", "babel.cfg")
KEYWORDS = ("lazy_gettext", "_", "gettext", "__")

PLACEHOLDER = re.compile(r"%\(\w+\)[sdfr]|%[sdfr]|\{\w*\}")
# A syllable Vietnamese spells with ASCII letters only ("In" = print, "Tin", "Ban"): an English
# one-word msgid that is also such a syllable says nothing about the page being English.
VIETNAMESE_SYLLABLE = re.compile(
    r"(?:ngh|ch|gh|gi|kh|ng|nh|ph|qu|th|tr|[bcdghklmnprstvx])?"
    r"(?:oai|oay|uoi|uya|uyu|ieu|yeu|ai|ao|au|ay|eo|ia|iu|oa|oe|oi|ua|ui|uy|[aeiouy])"
    r"(?:ch|ng|nh|[cmnpt])?",
    re.I,
)
VISIBLE_ATTRIBUTES = ("title", "placeholder", "alt", "aria-label", "data-placeholder",
                      "data-original-title", "label")
BUTTON_INPUTS = ("submit", "button", "reset")
VOID_TAGS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
             "source", "track", "wbr"}
CRUD_LINK = re.compile(r"/(add|edit|show)(?:/[^/?#]+)?/?$")
LIST_STATE = re.compile(r"(?:^|&)(?:_oc_|_od_|page_|psize_|_flt_)")  # FAB's sort/page/filter args


# --- the English side ---------------------------------------------------------------------------

def _package_dir(name: str) -> str:
    module = __import__(name)
    return os.path.dirname(module.__file__)


def _ids(message_id) -> tuple[str, ...]:
    return message_id if isinstance(message_id, tuple) else (message_id,)


def _hashable(value):
    return tuple(value) if isinstance(value, list) else value


def _fab_msgids() -> set[str]:
    with open(BABEL_CFG, encoding="utf-8") as f:
        method_map, options_map = parse_mapping_cfg(f)
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        _package_dir("flask_appbuilder"), method_map, options_map, keywords={
            **{k: None for k in KEYWORDS}, "ngettext": (1, 2), "lazy_ngettext": (1, 2)}
    ):
        found.update(m for m in _ids(message) if m)
    return found


def _wtforms_msgids() -> set[str]:
    with open(os.path.join(_package_dir("wtforms"), "locale", "wtforms.pot"), "rb") as f:
        return {m for message in read_po(f) if message.id for m in _ids(message.id)}


def _fab_template_literals() -> set[str]:
    """English that FAB's templates write as plain text (no gettext): the catalogue cannot help."""
    found = set()
    templates = os.path.join(_package_dir("flask_appbuilder"), "templates")
    for folder, _dirs, files in os.walk(templates):
        for name in files:
            if not name.endswith(".html"):
                continue
            with open(os.path.join(folder, name), encoding="utf-8") as f:
                source = f.read()
            source = re.sub(r"{#.*?#}|{%.*?%}|{{.*?}}", " ", source, flags=re.S)
            found.update(s for s in visible_segments(source) if re.search(r"[A-Za-z]{2}", s))
    return found


def _prettified_labels(app) -> set[str]:
    """The labels FAB makes up for columns a view gives no label (BaseView._prettify_column)."""
    from flask_appbuilder import Model

    labels = set()
    for table in Model.metadata.tables.values():
        for column in table.columns:
            labels.add(column.name.replace("_", " ").title())
    for mapper in Model.registry.mappers:
        for relationship in mapper.relationships:
            labels.add(relationship.key.replace("_", " ").title())
    return labels


@functools.lru_cache(maxsize=None)
def vietnamese() -> dict[str, object]:
    """Our catalogue: msgid (str, or a (singular, plural) tuple) -> msgstr, with fuzzy marks."""
    with open(CATALOGUE, "rb") as f:
        catalog = read_po(f)
    return {m.id: m for m in catalog if m.id}


@functools.lru_cache(maxsize=None)
def _english(app) -> dict[str, str]:
    """English UI strings that must not be seen -> where they come from."""
    sources = {
        "Flask-AppBuilder": _fab_msgids(),
        "WTForms": _wtforms_msgids(),
        "a Flask-AppBuilder template (not translatable)": _fab_template_literals(),
        "a label FAB made up from a column name": _prettified_labels(app),
        "a Python value FAB printed as it is": {str(True), str(False), str(None)},
    }
    # Words Vietnamese uses as they are ("Email"): the catalogue translates them to themselves.
    same_in_vietnamese = {
        m for message in vietnamese().values() if message.string
        for m, s in zip(_ids(message.id), _ids(message.string) * 2) if m == s
    }
    english = {}
    for source, texts in sources.items():
        for text in texts:
            text = " ".join(text.split()).strip(" :")
            if text and text not in same_in_vietnamese and re.search(r"[A-Za-z]{2}", text):
                english.setdefault(text, source)
    return english


class EnglishFinder:
    """Finds English strings in a page's text segments without false alarms from Vietnamese text.

    A string of several words is found anywhere in a segment (between word boundaries; its
    placeholders match any value); a single word only when it is a whole segment (a button, a
    column heading, a menu entry) and is not also a Vietnamese syllable.
    """

    def __init__(self, english: dict[str, str]):
        self.english = english
        self.words = {t for t in english if " " not in t and not PLACEHOLDER.search(t)
                      and not VIETNAMESE_SYLLABLE.fullmatch(t)}
        phrases = sorted((t for t in english if t not in self.words and " " in t), key=len,
                         reverse=True)
        self.patterns = {}
        parts = []
        for i, text in enumerate(phrases):
            pattern = r"\s+".join(
                "".join(".+?" if PLACEHOLDER.fullmatch(piece) else re.escape(piece)
                        for piece in _split_keep(word))
                for word in text.split()
            )
            parts.append(f"(?P<p{i}>(?<![\\w]){pattern}(?![\\w]))")
            self.patterns[f"p{i}"] = text
        self.regex = re.compile("|".join(parts), re.I) if parts else None

    def __call__(self, segments, data: "SecurityData | None" = None) -> list[tuple[str, str]]:
        found = []
        for segment in segments:
            if data is not None:
                segment = data.strip(segment)
            if not re.search(r"[A-Za-z]{2}", segment):
                continue
            bare = segment.strip(" :*?!.()[]|-–«»×")
            if bare in self.words:
                found.append((segment, bare))
            elif self.regex:
                for match in self.regex.finditer(segment):
                    found.append((segment, self.patterns[match.lastgroup]))
        return found


class SecurityData:
    """FAB's permission and view/menu names: identifiers kept in the database, which FAB's
    security pages list as data ("menu access on List Users", a view/menu named "Security").
    They are taken out of the content of a page; menu labels in the navigation bar stay checked."""

    def __init__(self, app):
        from flask_appbuilder.security.sqla.models import Permission, PermissionView, ViewMenu

        from app.extensions import db

        with app.app_context():
            names = set(db.session.scalars(sa.select(ViewMenu.name)))
            names |= set(db.session.scalars(sa.select(Permission.name)))
            pairs = [f"{p.replace('_', ' ')} on {v}" for p, v in db.session.execute(
                sa.select(Permission.name, ViewMenu.name)
                .join(PermissionView, PermissionView.permission_id == Permission.id)
                .join(ViewMenu, PermissionView.view_menu_id == ViewMenu.id))]
        self.names = names
        self.pairs = re.compile("|".join(map(re.escape, sorted(pairs, key=len, reverse=True))))

    def strip(self, segment: str) -> str:
        segment = self.pairs.sub(" ", segment)
        return "" if segment.strip(" :") in self.names else segment


def _split_keep(text: str) -> list[str]:
    """"at most %(max)s." -> ["at most ", "%(max)s", "."]"""
    pieces, last = [], 0
    for match in PLACEHOLDER.finditer(text):
        pieces += [text[last:match.start()], match.group()]
        last = match.end()
    return [p for p in pieces + [text[last:]] if p]


# --- the page side ------------------------------------------------------------------------------

class Page(HTMLParser):
    """Visible text segments of a page, the links of its navigation bar and of its content."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.html = text
        self.navbar_segments: list[str] = []  # visible text in the navigation bar (menu labels)
        self.content_segments: list[str] = []  # the rest of the visible text
        self.scripts: list[str] = []
        self.menu_links: list[str] = []
        self.content_links: list[str] = []
        self.post_forms: list[str] = []  # where the page's POST forms go
        self._stack: list[tuple[str, bool]] = []  # (tag, inside the navigation bar)
        self._hidden = 0  # inside <script>/<style>
        self.feed(text)
        self.close()

    def _in_navbar(self) -> bool:
        return bool(self._stack) and self._stack[-1][1]

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        classes = (attrs.get("class") or "").split()
        in_navbar = self._in_navbar() or any(c == "navbar" or c.startswith("navbar-") for c in classes)
        if tag in ("script", "style"):
            self._hidden += 1
        if tag not in VOID_TAGS:
            self._stack.append((tag, in_navbar))
        for name in VISIBLE_ATTRIBUTES:
            if attrs.get(name):
                self._add(attrs[name], in_navbar)
        if tag == "input" and (attrs.get("type") or "").lower() in BUTTON_INPUTS and attrs.get("value"):
            self._add(attrs["value"], in_navbar)
        if tag == "a" and attrs.get("href"):
            (self.menu_links if in_navbar else self.content_links).append(attrs["href"])
        if tag == "form" and (attrs.get("method") or "").upper() == "POST" and attrs.get("action"):
            self.post_forms.append(attrs["action"])

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID_TAGS:
            self.handle_endtag(tag)

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self._hidden:
            self._hidden -= 1
        for i in range(len(self._stack) - 1, -1, -1):
            if self._stack[i][0] == tag:
                del self._stack[i:]
                break

    def handle_data(self, data):
        if self._hidden:
            if self._stack and self._stack[-1][0] == "script":
                self.scripts.append(data)
        else:
            self._add(data, self._in_navbar())

    def _add(self, text: str, in_navbar: bool = False) -> None:
        text = " ".join(html.unescape(text).split())
        if text:
            (self.navbar_segments if in_navbar else self.content_segments).append(text)

    @property
    def segments(self) -> list[str]:
        return self.navbar_segments + self.content_segments


def visible_segments(text: str) -> list[str]:
    return Page(text).segments


def script_segments(page: Page) -> list[str]:
    """Strings inside inline scripts that reach the screen (FAB's search filters are JSON there)."""
    found = []
    for script in page.scripts:
        for literal in re.findall(r'"((?:[^"\\\n]|\\.)*)"|\'((?:[^\'\\\n]|\\.)*)\'', script):
            raw = literal[0] or literal[1]
            try:
                value = raw.encode("latin-1", "backslashreplace").decode("unicode_escape")
            except UnicodeDecodeError:
                value = raw
            if "<" in value:
                found += visible_segments(value)
            else:
                found.append(" ".join(value.split()))
    return found


def _internal(href: str) -> str | None:
    parts = urlsplit(href)
    if parts.scheme or parts.netloc or not parts.path.startswith("/"):
        return None
    if parts.path.startswith(("/static/", "/appbuilder/", "/logout", "/lang/", "/back")):
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _check(client, url: str, find: EnglishFinder, problems: list[str], seen: set[str],
           data: SecurityData | None = None) -> Page | None:
    if url in seen:
        return None
    seen.add(url)
    response = client.get(url, follow_redirects=True)
    if response.status_code != 200:
        problems.append(f"{url}: HTTP {response.status_code}")
        return None
    if "text/html" not in response.content_type:
        return None
    page = Page(response.text)
    found = find(page.navbar_segments) + find(page.content_segments + script_segments(page), data)
    for segment, english in found:
        problems.append(f"{url}: {english!r} ({find.english[english]}) in {segment[:120]!r}")
    return page


def _pages_behind(url: str, links: list[str]) -> list[str]:
    """The pages a list leads to, where the role may: FAB's add page and the show and edit
    pages of the first row; the first row's page of our own lists (/phan-anh/12); and the
    list's other pages in the same section (its tabs, its "new" page), without FAB's sorting,
    paging and filter variants."""
    section = urlsplit(url).path.strip("/").split("/")[0]
    follow, kinds = [], set()
    for link in links:
        parts = urlsplit(link)
        segments = parts.path.strip("/").split("/")
        crud = CRUD_LINK.search(parts.path)
        if crud:
            kind = crud.group(1)
        elif segments[0] == section and segments[-1].isdigit():
            kind = "row"
        elif (segments[0] == section and not any(s.isdigit() for s in segments)
              and not LIST_STATE.search(parts.query)):
            kind = link
        else:
            continue
        if kind not in kinds:
            kinds.add(kind)
            follow.append(link)
    return follow


@pytest.fixture(scope="module")
def find_english(app):
    return EnglishFinder(_english(app))


@pytest.fixture(scope="module")
def security_data(app):
    return SecurityData(app)


def _demo_accounts():
    from app.services.demo import DEMO_ACCOUNTS

    return [account[0] for account in DEMO_ACCOUNTS]


# --- the tests ----------------------------------------------------------------------------------

def test_catalogue_translates_every_fab_and_wtforms_string():
    """Every msgid of FAB and WTForms is in messages.po, translated, not fuzzy, placeholders kept;
    and messages.mo is compiled from this very messages.po."""
    catalogue = vietnamese()
    known = {m for message_id in catalogue for m in _ids(message_id)}
    missing = sorted((_fab_msgids() | _wtforms_msgids()) - known)
    assert not missing, f"run translations/update.sh and translate: {missing}"

    with open(CATALOGUE, "rb") as f:
        header = read_po(f)
    assert header.num_plurals == 1 and str(header.locale) == "vi"
    bad = []
    for message in catalogue.values():
        strings = _ids(message.string)
        if message.fuzzy or not all(strings) or len(strings) != header.num_plurals:
            bad.append(f"untranslated or fuzzy: {message.id!r}")
            continue
        expected = sorted(PLACEHOLDER.findall(_ids(message.id)[0]))
        for string in strings:
            if sorted(PLACEHOLDER.findall(string)) != expected:
                bad.append(f"placeholders differ: {message.id!r} -> {string!r}")
    assert not bad, "\n".join(bad)

    with open(COMPILED, "rb") as f:
        compiled = {_hashable(m.id): _hashable(m.string) for m in read_mo(f) if m.id}
    stale = [m.id for m in catalogue.values() if compiled.get(m.id) != m.string]
    assert not stale, f"messages.mo is older than messages.po (pybabel compile): {stale[:5]}"


def test_login_page_is_vietnamese(app, find_english):
    problems: list[str] = []
    page = _check(new_client(app), "/login/", find_english, problems, set())
    assert page is not None and not problems, "\n".join(problems)
    assert _catalogue_text("Username") in " ".join(page.segments)


@pytest.mark.parametrize("username", _demo_accounts())
def test_every_page_of_the_menu_is_vietnamese(app, find_english, security_data, username):
    """Home, every menu entry, the add/edit/show pages a list offers, the user's own pages."""
    client = login(app, username)
    problems: list[str] = []
    seen: set[str] = set()
    home = _check(client, "/", find_english, problems, seen, security_data)
    assert home is not None, problems
    menu = list(dict.fromkeys(u for u in map(_internal, home.menu_links) if u))
    assert menu, f"{username}: the home page offers no menu links"
    assert any("userinfo" in u for u in menu), f"{username}: no link to the user's own page"
    for url in menu:
        page = _check(client, url, find_english, problems, seen, security_data)
        if page is None:
            continue
        links = [u for u in map(_internal, page.content_links) if u]
        if "userinfo" in url:
            # The user's own pages, behind FAB's action buttons (POST, then a redirect):
            # reset my password, edit my information.
            follow = []
            for action in filter(None, map(_internal, page.post_forms)):
                response = client.post(action, data={"csrf_token": csrf_token(page.html)})
                assert response.status_code == 302, f"{username}: {action} -> {response.status_code}"
                follow.append(_internal(response.headers["Location"]))
            assert any("resetmypassword" in u for u in follow), f"{username}: {follow}"
        else:
            follow = _pages_behind(url, links)
        for link in follow:
            _check(client, link, find_english, problems, seen, security_data)
    assert not problems, f"{username}: English left on {len(problems)} places:\n" + "\n".join(problems)


def _catalogue_text(msgid: str) -> str:
    message = vietnamese()[msgid]
    return _ids(message.string)[0]


def _plural_text(singular: str) -> str:
    (message,) = [m for k, m in vietnamese().items() if isinstance(k, tuple) and k[0] == singular]
    return message.string[0]


def _post_form(client, url: str, data: dict):
    page = client.get(url)
    assert page.status_code == 200, url
    return client.post(url, data={**data, "csrf_token": csrf_token(page.text)})


def test_wtforms_messages_are_vietnamese_and_a_bad_submit_changes_nothing(app, find_english):
    from app.extensions import db
    from app.models import Field, Unit

    def field_count() -> int:
        with app.app_context():
            return db.session.scalar(sa.select(sa.func.count()).select_from(Field))

    client = login(app, "trungtam")
    with app.app_context():
        unit_id = db.session.scalar(sa.select(Unit.id).limit(1))
        first = db.session.execute(sa.select(Field.id, Field.name).order_by(Field.id).limit(1)).one()
    before = field_count()
    form = {"default_unit": str(unit_id), "handling_days": "5", "active": "y"}

    # DataRequired: "This field is required."
    response = _post_form(client, "/fieldview/add", {**form, "name": ""})
    assert response.status_code == 200
    assert _catalogue_text("This field is required.") in response.text
    assert "This field is required." not in response.text
    # Length(max=255) on name, a message with a value: "Field cannot be longer than 255 characters."
    response = _post_form(client, "/fieldview/add", {**form, "name": "Lĩnh vực " + "x" * 300})
    assert response.status_code == 200
    expected = _plural_text("Field cannot be longer than %(max)d character.") % {"max": 255}
    assert expected in response.text
    assert "cannot be longer" not in response.text
    problems = find_english(visible_segments(response.text))
    assert not problems, problems
    assert field_count() == before

    # An edit with an empty name changes nothing either.
    response = _post_form(client, f"/fieldview/edit/{first.id}", {**form, "name": ""})
    assert response.status_code == 200
    assert _catalogue_text("This field is required.") in response.text
    with app.app_context():
        assert db.session.get(Field, first.id).name == first.name


def _password_strength_message(password: str) -> str:
    from flask_appbuilder.exceptions import PasswordComplexityValidationError

    from app.security.passwords import password_strength

    with pytest.raises(PasswordComplexityValidationError) as error:
        password_strength(password)
    return str(error.value)


def test_password_form_messages_are_vietnamese_and_the_password_stays(app, find_english):
    client = login(app, "theodoi")
    response = _post_form(client, "/resetmypassword/form",
                          {"password": "ab1", "conf_password": "khac1234"})
    assert response.status_code == 200
    assert _catalogue_text("Passwords must match") in response.text
    assert _password_strength_message("ab1") in response.text
    problems = find_english(visible_segments(response.text))
    assert not problems, problems
    # The password is unchanged: the old one still signs in.
    login(app, "theodoi", DEMO_PASSWORD)


def test_wtforms_length_between_message_is_vietnamese(app):
    """Flask-WTF (WTF_I18N_ENABLED) takes WTForms' messages from our catalogue, values filled in."""
    from flask_wtf import FlaskForm
    from wtforms import StringField
    from wtforms.validators import Length

    class Probe(FlaskForm):
        class Meta:
            csrf = False

        name = StringField(validators=[Length(min=3, max=5)])

    with app.test_request_context(method="POST", data={"name": "x"}):
        app.preprocess_request()
        form = Probe()
        assert not form.validate()
        message = _catalogue_text("Field must be between %(min)d and %(max)d characters long.")
        assert form.name.errors == [message % {"min": 3, "max": 5}]
        assert "3" in form.name.errors[0] and "characters" not in form.name.errors[0]
