"""Helpers the tests share: media, catalogs, fakes of TikTok, player tones."""
