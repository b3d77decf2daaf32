"""Resource management: the sampler, CPU priority and workers, the disk cache, OpenMetrics."""
