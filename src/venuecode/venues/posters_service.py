"""Posters for a venue or one of its sub-areas (rendering lives in venues.poster)."""

from __future__ import annotations

from typing import Literal

from venuecode.categories import get_category
from venuecode.config import Settings
from venuecode.errors import Conflict, NotFound
from venuecode.venues.models import Venue
from venuecode.venues.poster import PosterContent, render_poster
from venuecode.venues.service import CodeSigner, sub_area_token, venue_token

PosterFormat = Literal["png", "svg", "pdf"]
MEDIA_TYPES = {"png": "image/png", "svg": "image/svg+xml", "pdf": "application/pdf"}


def venue_poster(settings: Settings, signer: CodeSigner, venue: Venue, fmt: PosterFormat,
                 locale: str = "zh", sub_area_id: int | None = None) -> bytes:
    token = venue_token(signer, venue)
    sub_area_name = None
    if sub_area_id is not None:
        area = next((a for a in venue.sub_areas if a.id == sub_area_id), None)
        if area is None:
            raise NotFound("sub_area_not_found", "找不到该区域。", "No such sub-area.")
        token = sub_area_token(signer, venue, area)
        sub_area_name = area.name
    if token is None:
        raise Conflict("venue_not_approved", "场所码审核通过后才能打印海报。",
                       "A poster can be printed once the venue code is approved "
                       f"(status now: {venue.status}).", status=venue.status)
    category = get_category(venue.category)
    content = PosterContent(
        url=signer.url(token), venue_name=venue.name,
        category_name=category.name(locale) if category else venue.category,
        district=venue.district, venue_id=venue.venue_id, sub_area=sub_area_name, locale=locale,
    )
    return render_poster(content, fmt, font_path=settings.cjk_font)
