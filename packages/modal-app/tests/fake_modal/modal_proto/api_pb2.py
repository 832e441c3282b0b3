"""The one protobuf message the app builds itself: ImageDeleteRequest(image_id=...)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ImageDeleteRequest:
    image_id: str
