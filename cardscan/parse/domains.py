"""What an e-mail or web address says about the company: the registrable part of its host
(tldextract with its bundled public-suffix snapshot, never fetched at run time: "mail.acme.co.uk"
is acme), or, for an address at a free mail provider, the part before the @ (a shop's
"floresnsfatima@hotmail.com")."""

from __future__ import annotations

from functools import lru_cache

import tldextract

# Free mail providers: their domain names the provider, not the card's company.
_PROVIDERS = """
    gmail googlemail yahoo ymail hotmail outlook live msn aol icloud me mac gmx web t-online
    freenet orange wanadoo free laposte sfr libero virgilio tiscali alice bol uol terra ig
    r7 globo zipmail yandex mail protonmail proton zoho qq 163 126 sina naver daum hanmail
"""
FREE_MAIL = frozenset(_PROVIDERS.split())


@lru_cache(maxsize=1)
def _extract() -> tldextract.TLDExtract:
    # No suffix list URLs and no cache: the snapshot inside the package, offline. The list's
    # private part names hosting services too: a shop's site on one is its own name
    # ("nogdesign.blogspot.com.br" is nogdesign, not blogspot).
    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None,
                                 include_psl_private_domains=True)


def registrable(host: str) -> tuple[str, str]:
    """(label, suffix) of a host: "www.hitachi.co.jp" -> ("hitachi", "co.jp")."""
    parts = _extract()(host.lower().strip("."))
    return parts.domain, parts.suffix


def company_hints(emails: list[str], website: str | None) -> list[str]:
    """The words the card's addresses spell its company with, squashed, for matching."""
    hints = []
    for email in emails:
        local, _, host = email.lower().rpartition("@")
        label, _ = registrable(host)
        hints.append(local if label in FREE_MAIL else label)
    if website:
        host = website.lower().split("://")[-1].split("/")[0].removeprefix("www.")
        label, _ = registrable(host)
        if label and label not in FREE_MAIL:
            hints.append(label)
    return [h.replace("-", "").replace(".", "").replace("_", "") for h in hints if h]
