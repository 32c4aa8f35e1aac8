"""One template rule: every HTML page people open is Jinja2 with the one layout; Django
templates are for the admin and emails only.

Both engines search by name, and Django's `render()` asks them in order: a file under a
Django `templates/` folder with the name of a Jinja2 page would silently be rendered
instead of it. So no name may exist in both engines' search paths.
"""

from pathlib import Path

from django.conf import settings
from django.template import engines

# Where the project's own Django templates may be: the admin's, emails (and their layout).
DJANGO_TEMPLATE_KINDS = ("admin/", "emails/")


def template_names(engine_alias: str) -> dict[str, list[Path]]:
    """Every template name the engine can find, with the files that answer to it."""
    found: dict[str, list[Path]] = {}
    for folder in engines[engine_alias].template_dirs:
        folder = Path(folder)
        for path in folder.rglob("*"):
            if path.is_file():
                found.setdefault(path.relative_to(folder).as_posix(), []).append(path)
    return found


def project_files(names: dict[str, list[Path]]) -> dict[str, list[Path]]:
    root = Path(settings.BASE_DIR)
    return {
        name: paths
        for name, paths in names.items()
        if any(root in p.parents and ".venv" not in p.parts and "site-packages" not in p.parts for p in paths)
    }


def test_no_template_name_exists_in_both_engines():
    django_names, jinja2_names = template_names("django"), template_names("jinja2")
    assert "base.html" in jinja2_names  # the search sees the layout …
    assert "guests/pages/guest_page.html" in jinja2_names  # … and the guest page
    assert "emails/base.html" in django_names

    both = {name: django_names[name] + jinja2_names[name] for name in django_names.keys() & jinja2_names.keys()}

    assert both == {}, f"these names would shadow one another: {both}"


def test_the_projects_django_templates_are_only_for_the_admin_and_emails():
    ours = project_files(template_names("django"))
    assert ours  # the emails are there
    pages = sorted(name for name in ours if not any(kind in name for kind in DJANGO_TEMPLATE_KINDS))
    assert pages == [], f"pages people open belong in <app>/jinja2/ with the one layout: {pages}"


def test_every_jinja2_page_extends_the_one_layout():
    ours = project_files(template_names("jinja2"))
    pages = {name: paths[0] for name, paths in ours.items() if "/fragments/" not in name and name != "base.html"}
    assert "guests/pages/guest_page.html" in pages
    outside = sorted(name for name, path in pages.items() if "{% extends" not in path.read_text())
    assert outside == [], f"pages that do not extend the layout: {outside}"
