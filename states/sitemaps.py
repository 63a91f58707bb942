"""/sitemap.xml: every public page a search engine should know, in each
language, each with its translations (hreflang), by Django's sitemaps
framework."""

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from states.models import State


class InEveryLanguage(Sitemap):
    i18n = True  # one entry per language (English at today's addresses, the rest under /id/, /th/, /ar/)
    alternates = True  # each with its translations, as <xhtml:link hreflang>
    x_default = True


class PublicPages(InEveryLanguage):
    priority = 0.8

    def items(self):
        return [
            "states:overview",
            "states:list",
            "states:convention",
            "states:next_steps",
            "states:compare",
            "states:changes",
            "states:data",
            "alerts:subscribe",
            "states:about",
            "states:accessibility",
        ]

    def location(self, name):
        return reverse(name)


class StateProfiles(InEveryLanguage):
    priority = 0.6

    def items(self):
        return State.objects.order_by("iso3")


SITEMAPS = {"pages": PublicPages, "states": StateProfiles}
