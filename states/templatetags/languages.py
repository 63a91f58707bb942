"""The page's address in each of the site's languages, for the language
switcher and the hreflang alternates in every public page's head."""

from dataclasses import dataclass

from django import template
from django.conf import settings
from django.urls import Resolver404, resolve, reverse, translate_url
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
    full_path = request.get_full_path()
    try:
        is_public_page = resolve(request.path_info).namespace == "states"
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
        languages.append(
            PageLanguage(
                code=code,
                name=info["name_local"],
                bidi=info["bidi"],
                path=path,
                url=request.build_absolute_uri(path),
                current=code == current,
            )
        )
    return languages
