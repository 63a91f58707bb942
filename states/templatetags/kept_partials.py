"""Partials that read nothing but the language and which page is being drawn
(the site's navigation, its footer), rendered once per process and reused by
every page: on a fresh render they were a tenth of a small page's work."""

import threading

from django import template
from django.template.loader import get_template
from django.urls import get_script_prefix
from django.utils.translation import get_language

register = template.Library()

_rendered = {}
_lock = threading.Lock()


@register.simple_tag(takes_context=True)
def include_kept(context, template_name):
    """``{% include %}`` for a partial whose markup depends only on the
    language and the page's URL name; the code that draws it (a deploy)
    starts a new process, so nothing kept here outlives the templates."""
    request = context.get("request")
    match = getattr(request, "resolver_match", None)
    # Who runs the site (settings, which the footer names) and the script prefix go into the key too.
    who = tuple(sorted(context.get("organisation", {}).items()))
    key = (template_name, get_language(), match.view_name if match else None, get_script_prefix(), who)
    markup = _rendered.get(key)
    if markup is None:
        markup = get_template(template_name).render(context.flatten(), request)
        with _lock:
            _rendered[key] = markup
    return markup
