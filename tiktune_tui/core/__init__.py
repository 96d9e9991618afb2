"""The pure domain: models, tag parsing and ranking.

Nothing under this package may import textual, vlc, ffmpeg or TikTokApi, so the
engine runs the same headless, in the TUI and in tests.
"""
