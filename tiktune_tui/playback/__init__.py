"""Hearing a song: the libVLC player, its set-up, the audio cache, and finding a song's audio."""
