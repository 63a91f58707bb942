"""The page's address in each of the site's languages, for the language
switcher and the hreflang alternates in every public page's head."""

from dataclasses import dataclass
from functools import lru_cache

from django import template
from django.conf import settings
from django.urls import Resolver404, get_script_prefix, resolve, reverse, translate_url
from django.utils.translation import get_language, get_language_info, override

register = template.Library()


@dataclass(frozen=True)
class PageLanguage:
    code: str
    name: str  # in the language itself, as a reader of it looks for it
    bidi: bool
    path: str  # this page, query string kept, in that language
    url: str  # the same, absolute (hreflang wants absolute addresses)
    current: bool


@register.simple_tag(takes_context=True)
def page_languages(context):
    """One PageLanguage per language: this page in it when the address is one of
    the public pages, else that language's overview (a 404 has no twin)."""
    request = context.get("request")
    if request is None:
        return []
    current = get_language()
    origin = request.build_absolute_uri("/")[:-1]
    return [
        PageLanguage(code=code, name=name, bidi=bidi, path=path, url=origin + path, current=code == current)
        for code, name, bidi, path in page_in_each_language(request.get_full_path(), request.path_info,
                                                            get_script_prefix())
    ]  # fmt: skip


# Every page's head and switcher read these; reversing them is a third of a
# small page's work, and the answer only depends on the address.
@lru_cache(maxsize=4096)
def page_in_each_language(full_path, path_info, script_prefix):
    """(code, name, bidi, path) per language for the page at ``full_path``."""
    try:
        is_public_page = resolve(path_info).namespace == "states"
    except Resolver404:
        is_public_page = False
    languages = []
    for code, _name in settings.LANGUAGES:
        if is_public_page:
            path = translate_url(full_path, code)
        else:
            with override(code):
                path = reverse("states:overview")
        info = get_language_info(code)
        languages.append((code, info["name_local"], info["bidi"], path))
    return tuple(languages)
