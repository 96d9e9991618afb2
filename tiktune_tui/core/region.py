"""The country TikTok is asked for, with the language and time zone a browser there would have.

TikTokApi sends `region=US`, `language=en` and the page's own time zone on every request;
a user in Brazil wants Brazil's trends, so `--region BR` changes all three together.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

DEFAULT_REGION = "US"


class RegionError(ValueError):
    pass


@dataclass(frozen=True)
class Region:
    code: str  # ISO 3166-1 alpha-2, upper case
    language: str  # what TikTok's web client sends as `language`
    locale: str  # the browser's locale (BCP 47)
    timezone: str  # an IANA zone of the country's main city

    def request_params(self) -> dict[str, str]:
        """The request parameters TikTok reads the region from (TikTokApi's session.params keys)."""
        return {
            "region": self.code,
            "priority_region": self.code,
            "language": self.language,
            "browser_language": self.locale,
            "app_language": self.language,
            "tz_name": self.timezone,
        }


# Countries where TikTok is most used; anything else gets English and UTC but its own code.
_KNOWN: dict[str, tuple[str, str, str]] = {
    "US": ("en", "en-US", "America/New_York"),
    "GB": ("en", "en-GB", "Europe/London"),
    "CA": ("en", "en-CA", "America/Toronto"),
    "AU": ("en", "en-AU", "Australia/Sydney"),
    "NZ": ("en", "en-NZ", "Pacific/Auckland"),
    "IE": ("en", "en-IE", "Europe/Dublin"),
    "IN": ("en", "en-IN", "Asia/Kolkata"),
    "PH": ("en", "en-PH", "Asia/Manila"),
    "SG": ("en", "en-SG", "Asia/Singapore"),
    "NG": ("en", "en-NG", "Africa/Lagos"),
    "ZA": ("en", "en-ZA", "Africa/Johannesburg"),
    "DE": ("de", "de-DE", "Europe/Berlin"),
    "AT": ("de", "de-AT", "Europe/Vienna"),
    "CH": ("de", "de-CH", "Europe/Zurich"),
    "FR": ("fr", "fr-FR", "Europe/Paris"),
    "BE": ("fr", "fr-BE", "Europe/Brussels"),
    "ES": ("es", "es-ES", "Europe/Madrid"),
    "MX": ("es", "es-MX", "America/Mexico_City"),
    "AR": ("es", "es-AR", "America/Argentina/Buenos_Aires"),
    "CO": ("es", "es-CO", "America/Bogota"),
    "CL": ("es", "es-CL", "America/Santiago"),
    "PE": ("es", "es-PE", "America/Lima"),
    "BR": ("pt-BR", "pt-BR", "America/Sao_Paulo"),
    "PT": ("pt", "pt-PT", "Europe/Lisbon"),
    "IT": ("it", "it-IT", "Europe/Rome"),
    "NL": ("nl", "nl-NL", "Europe/Amsterdam"),
    "PL": ("pl", "pl-PL", "Europe/Warsaw"),
    "SE": ("sv", "sv-SE", "Europe/Stockholm"),
    "NO": ("nb", "nb-NO", "Europe/Oslo"),
    "DK": ("da", "da-DK", "Europe/Copenhagen"),
    "FI": ("fi", "fi-FI", "Europe/Helsinki"),
    "TR": ("tr", "tr-TR", "Europe/Istanbul"),
    "RO": ("ro", "ro-RO", "Europe/Bucharest"),
    "UA": ("uk", "uk-UA", "Europe/Kyiv"),
    "JP": ("ja", "ja-JP", "Asia/Tokyo"),
    "KR": ("ko", "ko-KR", "Asia/Seoul"),
    "TW": ("zh-Hant", "zh-TW", "Asia/Taipei"),
    "HK": ("zh-Hant", "zh-HK", "Asia/Hong_Kong"),
    "ID": ("id", "id-ID", "Asia/Jakarta"),
    "MY": ("ms", "ms-MY", "Asia/Kuala_Lumpur"),
    "TH": ("th", "th-TH", "Asia/Bangkok"),
    "VN": ("vi", "vi-VN", "Asia/Ho_Chi_Minh"),
    "SA": ("ar", "ar-SA", "Asia/Riyadh"),
    "AE": ("ar", "ar-AE", "Asia/Dubai"),
    "EG": ("ar", "ar-EG", "Africa/Cairo"),
    "IL": ("he", "he-IL", "Asia/Jerusalem"),
}


def parse_region(text: str) -> str:
    """A two-letter country code, upper-cased: "gb" → "GB"; RegionError for anything else."""
    code = text.strip().upper()
    if not re.fullmatch(r"[A-Z]{2}", code):
        raise RegionError(f"{text.strip()[:20]!r} is not a two-letter country code like US, GB or BR")
    return code


def region(code: str | None) -> Region:
    """What a browser in `code` sends (the default region when None)."""
    code = parse_region(code or DEFAULT_REGION)
    language, locale, timezone = _KNOWN.get(code, ("en", f"en-{code}", "UTC"))
    return Region(code, language, locale, timezone)
