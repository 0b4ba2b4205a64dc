"""`python -m services.registry.sync`: the national-system push worker (run as many as you like)."""
from services.registry.sync.worker import main

main()
