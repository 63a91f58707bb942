"""The widgets of the filter forms on /states/ and /changes/."""

from django import template
from django.forms import Select
from django.utils.translation import get_language

from states.per_version import kept

register = template.Library()


@register.simple_tag
def filter_widget(field):
    """A filter's widget. A menu left at "Any" is the same markup for every
    reader of one data version and language (its options are the choices, the
    states and the treaties), so it is kept with the data version: Django
    renders each option from a template, which was near a third of a fresh
    /states/ or /changes/. A menu with a choice made or an error, and the
    text box, are rendered each time, and so never keep what a reader typed."""
    widget = field.field.widget
    left_at_any = field.value() in (None, "") and not field.errors
    if not isinstance(widget, Select) or widget.allow_multiple_selected or not left_at_any:
        return str(field)
    key = ("filter menu left at any", type(field.form).__qualname__, field.html_name, get_language())
    return kept.get(key, lambda: str(field))
