#!/usr/bin/env bash
# Rebuild the Vietnamese catalogue translations/vi/LC_MESSAGES/messages.po (+ messages.mo).
#
#   . .venv/bin/activate && translations/update.sh
#
# 1. extracts the strings of our code (app/) and of the installed Flask-AppBuilder (its Python
#    and Jinja templates) — FAB ships no Vietnamese, so its UI strings must be in our catalogue;
# 2. adds WTForms' own messages (wtforms/locale/wtforms.pot): Flask-WTF's i18n is pointed at this
#    catalogue (see app/__init__.py, _wtforms_translations), so "This field is required." etc.
#    are translated here too;
# 3. updates messages.po without fuzzy matching (a guessed translation is worse than none) —
#    existing translations are kept, vanished msgids stay as obsolete "#~" entries — and
#    compiles messages.mo;
# 4. lists what is still untranslated or fuzzy and exits 1 if anything is: translate those
#    entries in messages.po, then run this script again.
#
# Do not use `flask fab babel-extract`: it runs extract and update concurrently (os.popen) and
# can update from a half-written .pot, marking every entry obsolete.
set -euo pipefail

cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python}
command -v pybabel >/dev/null || { echo "pybabel not found: activate the venv first" >&2; exit 2; }

# Where the installed packages are (never a hard-coded venv path).
FAB_DIR=$("$PYTHON" -c 'import os, flask_appbuilder; print(os.path.dirname(flask_appbuilder.__file__))')
WTFORMS_POT=$("$PYTHON" -c 'import os, wtforms; print(os.path.join(os.path.dirname(wtforms.__file__), "locale", "wtforms.pot"))')
[ -f "$WTFORMS_POT" ] || { echo "$WTFORMS_POT is missing" >&2; exit 2; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

pybabel -q extract -F translations/babel.cfg \
    -k lazy_gettext -k _ -k gettext -k __ \
    --project="phananh" --version="1.0" --copyright-holder="Trung tâm Giám sát, điều hành đô thị thông minh" \
    -o "$tmp/extracted.pot" app "$FAB_DIR"

# One template: ours + FAB's + WTForms'. Locations are made relative (flask_appbuilder/...,
# wtforms/...) so the catalogue does not depend on where the venv lives.
"$PYTHON" - "$tmp/extracted.pot" "$WTFORMS_POT" "$FAB_DIR" "$tmp/messages.pot" <<'PY'
import os
import sys

from babel.messages.pofile import read_po, write_po

extracted_path, wtforms_path, fab_dir, out_path = sys.argv[1:]
site_dir = os.path.dirname(fab_dir) + os.sep

with open(extracted_path, "rb") as f:
    catalog = read_po(f)
for message in catalog:
    message.locations = [
        (path[len(site_dir):] if path.startswith(site_dir) else path, line)
        for path, line in message.locations
    ]
with open(wtforms_path, "rb") as f:
    wtforms = read_po(f)
for message in wtforms:
    if not message.id:
        continue  # the header
    existing = catalog.get(message.id)
    locations = [("wtforms/" + path.replace(os.sep, "/"), line) for path, line in message.locations]
    if existing is not None:
        existing.locations.extend(locations)
        existing.flags |= message.flags
    else:
        catalog.add(message.id, locations=locations, flags=message.flags,
                    auto_comments=message.auto_comments)
with open(out_path, "wb") as f:
    write_po(f, catalog)
print(f"{len(catalog)} msgids in the template (FAB, WTForms and ours)")
PY

pybabel update --init-missing --no-fuzzy-matching --ignore-pot-creation-date -l vi \
    -i "$tmp/messages.pot" -d translations
pybabel compile --statistics -l vi -d translations

# Anything left to translate?
"$PYTHON" - translations/vi/LC_MESSAGES/messages.po <<'PY'
import sys

from babel.messages.pofile import read_po

with open(sys.argv[1], "rb") as f:
    catalog = read_po(f)
todo = [
    m for m in catalog
    if m.id and (m.fuzzy or not (all(m.string) if isinstance(m.string, tuple) else m.string))
]
for m in todo:
    print(("fuzzy:        " if m.fuzzy else "untranslated: ") + repr(m.id), file=sys.stderr)
if todo:
    sys.exit(f"{len(todo)} entries still need a Vietnamese translation in {sys.argv[1]}")
print(f"{sum(1 for m in catalog if m.id)} msgids, all translated")
PY
