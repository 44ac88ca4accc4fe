"""gunicorn's settings for Guildhall: read from the working directory (`gunicorn portal.wsgi`), and by
`make bench`, which measures the site as production serves it."""

# Each worker listens on a socket of its own (SO_REUSEPORT) and the kernel spreads new connections
# over them. With the one shared socket, the worker that wakes first accepts a whole burst of
# connections, and a kept-alive connection stays with the worker that took it: with 8 connections
# on 2 cores, all 8 landed on one worker in about half of the runs, and that worker's one core (its
# GIL) halved the site's requests per second (`tests/test_gunicorn_config.py`; README, "Benchmarks").
reuse_port = True
