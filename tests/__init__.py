"""tiktune tests. A package, so `tests.support.factories` wins over a stray `tests` in site-packages."""
