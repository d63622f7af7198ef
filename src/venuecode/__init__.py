"""venuecode: an open-source 场所码 (venue code) platform."""

__version__ = "0.1.0"
