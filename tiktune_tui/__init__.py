"""tiktune: find the TikTok songs that fit your hashtags, from the terminal."""

__version__ = "0.1.0"
