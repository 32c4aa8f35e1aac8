"""The crew pages as an installable web app: each brand's manifest and icons, the favicon,
and the service worker that keeps them readable offline.

A brand's manifest and icons are its public look (name and colours, as on its guest
pages), served without sign-in: browsers fetch manifests and icons without the crew
cookie. An unknown brand is a 404. Icons are drawn here, from one set of shapes, as SVG
and (for home screens that want pixels) PNG — no image files to keep in step.
"""

import hashlib
import io
import json
from functools import cache

from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import Http404, HttpRequest, HttpResponse
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.http import require_GET
from PIL import Image, ImageDraw

from charterops.models import Organization

# PNG sizes home screens ask for (Android: 192 and 512; the favicon's ICO: 16–48).
ICON_SIZES = (192, 512)
FAVICON_SIZES = ((16, 16), (32, 32), (48, 48))
ICON_CACHE = "public, max-age=86400"
CHARTEROPS_COLOURS = ("#0b3d91", "#f5a623")

# The icon on a 512 grid: a mainsail and a jib in white over a hull in the accent colour.
# Everything sits inside the central circle of radius 205 that maskable icons keep.
_SAILS = (((256, 100), (256, 340), (136, 340)), ((272, 130), (272, 340), (384, 340)))
_HULL = ((96, 360), (416, 360), (368, 416), (144, 416))


def _brand_or_404(slug: str) -> Organization:
    brand = Organization.objects.filter(slug=slug).only("slug", "name", "primary_colour", "accent_colour").first()
    if brand is None:
        raise Http404("No such brand.")
    return brand


def icon_svg(primary: str, accent: str) -> str:
    def points(shape) -> str:
        return " ".join(f"{x},{y}" for x, y in shape)

    sails = "".join(f'<polygon points="{points(sail)}" fill="#fff"/>' for sail in _SAILS)
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 512 512">'
        f'<rect width="512" height="512" rx="96" fill="{primary}"/>{sails}'
        f'<polygon points="{points(_HULL)}" fill="{accent}"/></svg>'
    )


def icon_image(primary: str, accent: str, size: int) -> Image.Image:
    """The icon as pixels, full-bleed (a maskable icon: the home screen rounds it)."""
    scale = size / 512
    image = Image.new("RGB", (size, size), primary)
    draw = ImageDraw.Draw(image)
    for sail in _SAILS:
        draw.polygon([(x * scale, y * scale) for x, y in sail], fill="#ffffff")
    draw.polygon([(x * scale, y * scale) for x, y in _HULL], fill=accent)
    return image


def _png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


@require_GET
def brand_icon_svg(request: HttpRequest, slug: str) -> HttpResponse:
    brand = _brand_or_404(slug)
    response = HttpResponse(icon_svg(brand.primary_colour, brand.accent_colour), content_type="image/svg+xml")
    response["Cache-Control"] = ICON_CACHE
    return response


@require_GET
def brand_icon_png(request: HttpRequest, slug: str, size: int) -> HttpResponse:
    if size not in ICON_SIZES:
        raise Http404(f"Icons come in {' and '.join(map(str, ICON_SIZES))} pixels.")
    brand = _brand_or_404(slug)
    response = HttpResponse(_png(icon_image(brand.primary_colour, brand.accent_colour, size)), content_type="image/png")
    response["Cache-Control"] = ICON_CACHE
    return response


@require_GET
def favicon(request: HttpRequest) -> HttpResponse:
    """/favicon.ico for every page of the site (browsers ask for it on their own)."""
    buffer = io.BytesIO()
    icon_image(*CHARTEROPS_COLOURS, 64).save(buffer, format="ICO", sizes=FAVICON_SIZES)
    response = HttpResponse(buffer.getvalue(), content_type="image/x-icon")
    response["Cache-Control"] = ICON_CACHE
    return response


def manifest_data(brand: Organization) -> dict:
    """The web app manifest: "Add to home screen" opens the crew home, in the brand's colours."""
    home = reverse("crew:home")
    icons = [
        {"src": reverse("crew:brand-icon", args=[brand.slug]), "type": "image/svg+xml", "sizes": "any"},
        *(
            {
                "src": reverse("crew:brand-icon-png", args=[brand.slug, size]),
                "type": "image/png",
                "sizes": f"{size}x{size}",
                "purpose": "any maskable",
            }
            for size in ICON_SIZES
        ),
    ]
    return {
        "id": f"{home}?brand={brand.slug}",
        "name": f"{brand.name} crew",
        "short_name": brand.name[:12],
        "description": f"{brand.name} crew: your charters, checklists and guests — readable offline.",
        "start_url": home,
        "scope": home,
        "display": "standalone",
        "orientation": "portrait",
        "theme_color": brand.primary_colour,
        "background_color": "#f5f7f9",
        "icons": icons,
    }


@require_GET
def brand_manifest(request: HttpRequest, slug: str) -> HttpResponse:
    response = HttpResponse(
        json.dumps(manifest_data(_brand_or_404(slug)), ensure_ascii=False), content_type="application/manifest+json"
    )
    response["Cache-Control"] = "public, max-age=3600" if not settings.DEBUG else "no-cache"
    return response


# --- The service worker ------------------------------------------------------------------------

# What every crew page needs to show offline (the layout's stylesheets and scripts): kept by
# the service worker when it installs. crew/tests/test_offline.py checks the pages ask for
# nothing else.
SHELL_FILES = (
    "css/charterops.css",
    "css/crew.css",
    "vendor/htmx-2.0.11.min.js",
    "crew/offline-core.js",
    "crew/offline.js",
    "crew/crew.js",
)
# The worker itself: the shared rules, then the worker's own code.
WORKER_FILES = ("crew/offline-core.js", "crew/sw.js")
# The pages it controls: the crew pages, not the back office, the API or the guests'.
SCOPE = "/crew/"


def _read(name: str) -> str:
    path = finders.find(name)
    if path is None:
        raise FileNotFoundError(f"static file {name} is missing")
    with open(path, encoding="utf-8") as f:
        return f.read()


def _worker_source() -> str:
    sources = [_read(name) for name in WORKER_FILES]
    shell = {name: _read(name) for name in SHELL_FILES}
    # A new version whenever the worker or any file it keeps changes: the browser sees a
    # different /sw.js, installs it, and the old shell cache is dropped.
    digest = hashlib.sha256("\0".join([*sources, *shell.values()]).encode()).hexdigest()[:16]
    header = "var SHELL = " + json.dumps({"version": digest, "assets": [static(name) for name in SHELL_FILES]}) + ";"
    return "\n".join([f"// CharterOps crew service worker {digest}", header, *sources])


# Read once per process outside local debug (static files change only with a deploy).
_cached_worker_source = cache(_worker_source)


@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    """/sw.js, served from the site root (its scope may be any path under /) for /crew/."""
    source = _worker_source() if settings.DEBUG else _cached_worker_source()
    response = HttpResponse(source, content_type="text/javascript; charset=utf-8")
    # Browsers check for a new worker on navigations; never let a cache hide one.
    response["Cache-Control"] = "no-cache"
    return response
