"""tiktune tests. A package, so `tests.factories` wins over a stray `tests` in site-packages."""
