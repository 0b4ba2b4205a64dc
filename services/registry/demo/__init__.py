"""Demo inventory from seed 004 (渭南市 2024年第一次全面检查): the city, its districts and counties,
the departments and the sites and accounts named in the notice's two tables."""
