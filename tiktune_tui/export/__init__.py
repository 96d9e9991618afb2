"""Laying a song over a video with ffmpeg: options, probing, the plan, the process, the exporter, the opener."""
