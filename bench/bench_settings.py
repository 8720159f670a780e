"""Settings for benchmarks: the product's settings plus one bare JSON view to compare against."""

from aftersales.settings import *  # noqa: F403

ROOT_URLCONF = "bench_urls"
