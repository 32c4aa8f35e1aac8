"""Crew pages: phone-first, server-rendered, signed in by magic link."""

from django.urls import path

from . import signin

app_name = "crew"

urlpatterns = [
    # Sign-in (crew/signin.py)
    path("m/", signin.code_entry, name="code-entry"),
    path("m/<str:code>", signin.magic_link, name="magic-link"),
    path("crew/login", signin.login, name="login"),
    path("crew/logout", signin.logout, name="logout"),
    path("crew/logout/everywhere", signin.logout_everywhere, name="logout-everywhere"),
]
